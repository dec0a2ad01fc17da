/**
 * Child process of the kill -9 test: saves every domain of the library in turn, forever, each
 * save a new valid config (memory = 1000 + round). Prints "ready" once the first round is done.
 * argv: library dir, domain count.
 */
import { Library } from '../../../../src/main/vm/library';

const [dir, count] = [process.argv[2]!, Number(process.argv[3])];
const lib = new Library(dir);
const names = Array.from({ length: count }, (_, i) => `vm${i}`);
let round = 0;
for (;;) {
  for (const n of names) lib.save(n, `name = '${n}'\nmemory = ${1000 + round}\n${'# padding to make the write take a while\n'.repeat(400)}`);
  if (round++ === 0) process.stdout.write('ready\n');
}
