/**
 * frame-delivery's CPU readout (bench/lib/cpu-use.ts): a thread that spins shows up with about the
 * wall time it spun, one that sleeps with about nothing, both in their group, and the machine's busy
 * cores cover them. Linux only (/proc); elsewhere the snapshot is null, as the benchmark says.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { cpuSnapshot, cpuUse, formatCpuUse, processTree } from '../../../bench/lib/cpu-use';

const linux = process.platform === 'linux';

/**
 * A worker that, when told, spins through a fixed amount of work and answers with its own CPU time
 * for it (ns, from /proc/thread-self/schedstat): what cpuUse must find for it whatever the load.
 */
function spinner(): Promise<Worker> {
  const w = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const fs = require('node:fs');
     const ns = () => Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
     parentPort.on('message', () => { const a = ns(); let x = 0; for (let i = 0; i < 3e8; i++) x = (x + i) | 0; parentPort.postMessage({ ns: ns() - a, x }); });`,
    { eval: true },
  );
  return new Promise((ok) => w.once('online', () => ok(w)));
}

/** Tell the spinner to spin (it stays alive: a thread that has ended is no longer listed); its own CPU ns for the work. */
async function spin(w: Worker): Promise<number> {
  const done = new Promise<{ ns: number }>((ok) => w.once('message', ok));
  w.postMessage('go');
  return (await done).ns;
}

describe.runIf(linux)('cpuUse', () => {
  it('finds the CPU time a spinning thread says it used, and names a process main thread by its process', async () => {
    const w = await spinner();
    const pids = processTree(process.pid);
    expect(pids[0]).toBe(process.pid);
    const a = cpuSnapshot(pids)!;
    const own = await spin(w);
    const b = cpuSnapshot(pids)!;
    await w.terminate();
    const use = cpuUse(a, b, (pid) => (pid === process.pid ? 'tests' : null), 50);
    expect(use.groups.map((g) => g.name)).toEqual(['tests']);
    const [busiest] = use.groups[0]!.threads;
    // The snapshots bracket the spin: at least its own time, plus at most the thread's message handling.
    const cpuSeconds = busiest!.cores * use.seconds;
    expect(cpuSeconds).toBeGreaterThanOrEqual((own / 1e9) * 0.999);
    expect(cpuSeconds).toBeLessThan(own / 1e9 + 0.05);
    expect(use.groups[0]!.cores).toBeGreaterThanOrEqual(busiest!.cores);
    expect(use.groups[0]!.threads.map((t) => t.comm)).toContain('node main');
    expect(use.machine.of).toBeGreaterThan(0);
    expect(use.machine.cores * use.seconds).toBeGreaterThanOrEqual(cpuSeconds * 0.9); // jiffies: 10 ms grain
    expect(formatCpuUse(use, (x) => x.toFixed(2))).toMatch(/^tests \d\.\d\d cores \(.+\); machine \d\.\d\d of \d+ cores busy$/);
  });

  it('counts a thread that started between the snapshots from zero', async () => {
    const a = cpuSnapshot([process.pid])!;
    const w = await spinner();
    const own = await spin(w);
    const b = cpuSnapshot([process.pid])!;
    await w.terminate();
    const [busiest] = cpuUse(a, b, () => 'tests', 100).groups[0]!.threads;
    expect(busiest!.cores * ((b.atMs - a.atMs) / 1000)).toBeGreaterThanOrEqual((own / 1e9) * 0.999);
  });
});
