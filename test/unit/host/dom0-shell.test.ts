/**
 * The Dom0 shell's language (POSIX sh quoting, variables and field splitting, comments, lists,
 * pipes, redirections, here-documents, sessions) and every bad-input rule: unknown commands,
 * unwritable redirections, unterminated quotes and here-documents, and the bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_COMMANDS, MAX_OUTPUT, MAX_SESSIONS, MAX_VALUE, MAX_VARIABLES } from '../../../src/main/host/dom0/limits';
import { dom0Rig } from './dom0-rig';

describe('Dom0 shell: words, quotes and expansions', () => {
  it('single quotes are literal, double quotes expand, backslash escapes, adjacent parts join', async () => {
    const d = dom0Rig();
    expect((await d.sh(`echo 'a  $HOME' "b  $HOME" c\\ d a'b'"c"`)).output).toBe('a  $HOME b  /root c d abc\n');
    expect((await d.sh(`echo "say \\"hi\\" \\$HOME"`)).output).toBe('say "hi" $HOME\n');
  });

  it('NAME=value (several per line), $NAME, ${NAME}; an unset variable expands to nothing', async () => {
    const d = dom0Rig();
    expect(await d.sh('A=1 B=2')).toEqual({ output: '', exitCode: 0 });
    expect((await d.sh('echo $A$B ${A}x [$nothing]')).output).toBe('12 1x []\n');
    expect((await d.sh('echo x $nothing y')).output).toBe('x y\n');
  });

  it('unquoted expansions are split into fields, quoted ones are not', async () => {
    const d = dom0Rig();
    await d.sh('A="a   b"');
    expect((await d.sh('echo $A; echo "$A"')).output).toBe('a b\na   b\n');
    expect((await d.sh('echo -n "$A" | grep -c "a   b"')).output).toBe('1\n');
  });

  it('export, export -p and unset', async () => {
    const d = dom0Rig();
    expect(await d.sh('export EDID=00ff X')).toEqual({ output: '', exitCode: 0 });
    expect((await d.sh('export -p | grep EDID')).output).toBe("export EDID='00ff'\n");
    expect((await d.sh('unset EDID; echo "[$EDID]"')).output).toBe('[]\n');
    expect(await d.sh('export 1x=2')).toEqual({ output: 'sh: export: 1x: bad variable name\n', exitCode: 2 });
  });

  it('~ and ~/ are $HOME unless quoted', async () => {
    const d = dom0Rig();
    expect((await d.sh('echo ~ ~/x "~" a~')).output).toBe('/root /root/x ~ a~\n');
  });

  it('# starts a comment only at the start of a word', async () => {
    const d = dom0Rig();
    expect((await d.sh('echo a # a comment; echo b')).output).toBe('a\n');
    expect(await d.sh('# only a comment')).toEqual({ output: '', exitCode: 0 });
    expect((await d.sh("echo a#b '#c' \"#d\"")).output).toBe('a#b #c #d\n');
  });

  it('a glob stays a literal word (the view does no pathname expansion)', async () => {
    const d = dom0Rig();
    expect((await d.sh('echo /etc/xen/*.hvm')).output).toBe('/etc/xen/*.hvm\n');
  });
});

describe('Dom0 shell: lists, pipes, redirections, here-documents', () => {
  it('; && || and $?', async () => {
    const d = dom0Rig();
    expect((await d.sh('false; echo $?; true && echo yes || echo no; false && echo yes || echo no')).output).toBe('1\nyes\nno\n');
    expect(await d.sh('false')).toEqual({ output: '', exitCode: 1 });
    expect((await d.sh('echo $?')).output).toBe('1\n');
  });

  it('pipes into grep [-icnqv]; grep of files; no match is status 1', async () => {
    const d = dom0Rig();
    expect((await d.sh('cat /etc/xen/xlexample.hvm | grep -i VGT_FENCE')).output).toBe('vgt_fence_sz=4\n');
    expect((await d.sh('grep -n memory /etc/xen/xlexample.hvm')).output).toBe('2:memory = 2048\n');
    expect((await d.sh('grep -c vgt_ /etc/xen/xlexample.hvm /etc/xen/xmexample.hvm')).output).toBe('/etc/xen/xlexample.hvm:4\n/etc/xen/xmexample.hvm:3\n');
    expect(await d.sh('echo abc | grep x')).toEqual({ output: '', exitCode: 1 });
    expect((await d.sh('echo abc | grep -v x')).output).toBe('abc\n');
    expect(await d.sh('grep -z x')).toEqual({ output: "grep: invalid option -- 'z'\nUsage: grep [-icnqvF] PATTERN [FILE]...\n", exitCode: 2 });
  });

  it('> /dev/null swallows output; an input of several lines runs line by line', async () => {
    const d = dom0Rig();
    expect(await d.sh('echo hi > /dev/null')).toEqual({ output: '', exitCode: 0 });
    expect((await d.sh('echo a\necho b\n\necho c')).output).toBe('a\nb\nc\n');
  });

  it('here-documents: expanded with an unquoted delimiter, literal with a quoted one, <<- strips tabs', async () => {
    const d = dom0Rig();
    expect((await d.sh('cat <<EOF\nhome=$HOME \\$HOME\nEOF')).output).toBe('home=/root $HOME\n');
    expect((await d.sh("cat <<'EOF'\nhome=$HOME\nEOF")).output).toBe('home=$HOME\n');
    expect((await d.sh('cat <<-END\n\tindented\n\tEND')).output).toBe('indented\n');
    expect((await d.sh('cat <<EOF | grep b\na\nb\nEOF\necho after')).output).toBe('b\nafter\n');
  });

  it('cat > FILE <<EOF writes a config into /etc/xen (the library); >> appends', async () => {
    const d = dom0Rig();
    expect(await d.sh("cat > /etc/xen/mine.hvm <<EOF\nname = 'mine'\nEOF")).toEqual({ output: '', exitCode: 0 });
    expect(await d.sh('echo memory = 256 >> /etc/xen/mine.hvm')).toEqual({ output: '', exitCode: 0 });
    expect(d.library.get('mine').text).toBe("name = 'mine'\nmemory = 256\n");
    expect(d.library.get('mine').spec?.memoryMiB).toBe(256);
    expect((await d.sh('cat /etc/xen/mine.hvm')).output).toBe("name = 'mine'\nmemory = 256\n");
  });

  it('cd, pwd, ls, cat over the view; cd - and cd with no operand', async () => {
    const d = dom0Rig();
    expect((await d.sh('cd /etc/xen; pwd; ls')).output).toBe('/etc/xen\nxlexample.hvm  xmexample.conf  xmexample.hvm\n');
    expect((await d.sh('cd ..; pwd; cd -; cd; pwd')).output).toBe('/etc\n/etc/xen\n/root\n');
    expect((await d.sh('ls -1 / /dev/null')).output).toBe('/dev/null\n\n/:\ndev\netc\nroot\nsys\nvar\n');
    expect((await d.sh('ls -a /etc')).output).toBe('.  ..  xen\n');
    expect((await d.sh('ls /sys/class/mdev_bus/0000:00:02.0/mdev_supported_types')).output).toMatch(/^i915-GVTg_V5_/);
  });
});

describe('Dom0 shell: bad input', () => {
  it('an unknown command: sh: X: not found, status 127', async () => {
    const d = dom0Rig();
    expect(await d.sh('frobnicate --now')).toEqual({ output: 'sh: frobnicate: not found\n', exitCode: 127 });
    expect(await d.sh('rm -rf /')).toEqual({ output: 'sh: rm: not found\n', exitCode: 127 });
  });

  it('a redirection to a path that cannot be written: sh: cannot create PATH: REASON, status 2, and the command does not run', async () => {
    const d = dom0Rig();
    await d.sh('xl create xlexample.hvm');
    const cases: [string, string][] = [
      ['echo x > /etc/xen/xlexample.hvm', 'sh: cannot create /etc/xen/xlexample.hvm: Permission denied\n'],
      ['echo x > /var/lib/gvt-desk/new.cfg', 'sh: cannot create /var/lib/gvt-desk/new.cfg: Permission denied\n'],
      ['echo x > /root/x', 'sh: cannot create /root/x: Permission denied\n'],
      ['echo x > /sys/kernel/vgt/control/nosuch', 'sh: cannot create /sys/kernel/vgt/control/nosuch: Permission denied\n'],
      ['echo 3 > /sys/kernel/vgt/vm1/vgt_id', 'sh: cannot create /sys/kernel/vgt/vm1/vgt_id: Permission denied\n'],
      ['echo x > /tmp/x', 'sh: cannot create /tmp/x: Directory nonexistent\n'],
      ['echo x > /etc/xen', 'sh: cannot create /etc/xen: Is a directory\n'],
    ];
    for (const [line, output] of cases) expect(await d.sh(line), line).toEqual({ output, exitCode: 2 });
    const before = d.calls.length;
    expect((await d.sh('xl destroy 1 > /etc/xen/xmexample.conf')).exitCode).toBe(2);
    expect(d.calls.slice(before).map(([m]) => m)).not.toContain('domain.destroy');
    expect(d.mediator.vgpu(1)).toBeDefined();
  });

  it('a value a sysfs node refuses is reported with the node and the reason, status 1', async () => {
    const d = dom0Rig();
    expect(await d.sh('echo x > /sys/kernel/vgt/control/foreground_vm')).toEqual({ output: "sh: echo: /sys/kernel/vgt/control/foreground_vm: write error: Invalid argument (expected a domain id, got 'x')\n", exitCode: 1 });
  });

  it('an unterminated quote or here-document is a syntax error (status 2) and nothing runs', async () => {
    const d = dom0Rig();
    expect(await d.sh('A=1; echo "oops')).toEqual({ output: 'sh: Syntax error: Unterminated quoted string\n', exitCode: 2 });
    expect(await d.sh("echo 'oops")).toEqual({ output: 'sh: Syntax error: Unterminated quoted string\n', exitCode: 2 });
    expect(await d.sh('A=1; cat > /etc/xen/x.hvm <<EOF\nname = "x"')).toEqual({ output: "sh: Syntax error: here-document opened here is not terminated: no line 'EOF' follows\n", exitCode: 2 });
    expect(await d.sh('echo $A')).toEqual({ output: '\n', exitCode: 0 });
    expect(d.calls.filter(([m]) => m === 'library.import')).toEqual([]);
    // A quote may go on over lines, as in sh.
    expect((await d.sh('echo "a\nb"')).output).toBe('a\nb\n');
  });

  it('misplaced operators and unsupported constructs are syntax errors naming them', async () => {
    const d = dom0Rig();
    const cases: [string, string][] = [
      ['echo a |', 'sh: Syntax error: end of line unexpected (after "|")\n'],
      ['| echo a', 'sh: Syntax error: "|" unexpected\n'],
      ['echo a &&', 'sh: Syntax error: end of line unexpected (after "&&")\n'],
      ['; echo', 'sh: Syntax error: ";" unexpected\n'],
      ['echo >', 'sh: Syntax error: newline unexpected (a redirection needs a file name)\n'],
      ['sleep 1 &', 'sh: Syntax error: "&": background jobs are not supported\n'],
      ['(echo a)', 'sh: Syntax error: "(" unexpected\n'],
      ['cat < /etc/xen/xlexample.hvm', 'sh: Syntax error: "<": input redirection is not supported (use a here-document: <<EOF)\n'],
      ['echo 2>/dev/null', 'sh: Syntax error: 2>: redirecting file descriptor 2 is not supported (only standard output: >, >>)\n'],
      ['echo ${A:-x}', 'sh: Syntax error: ${A:-x}: Bad substitution (only $NAME and ${NAME} expansions are supported)\n'],
      ['cat <<', 'sh: Syntax error: "<<" needs a delimiter word (e.g. <<EOF)\n'],
      ['echo a\necho "b', 'sh: line 2: Syntax error: Unterminated quoted string\n'],
      ['echo \0', 'sh: Syntax error: the input holds a NUL byte\n'],
    ];
    for (const [line, output] of cases) expect(await d.sh(line), line).toEqual({ output, exitCode: 2 });
  });

  it(`a variable of more than ${MAX_VALUE} bytes is refused and the old value kept`, async () => {
    const d = dom0Rig();
    await d.sh(`A=${'x'.repeat(MAX_VALUE / 2)}`);
    expect(await d.sh('A=$A$A$A')).toEqual({ output: `sh: A: the value is ${1.5 * MAX_VALUE} bytes; the limit is ${MAX_VALUE} bytes (1 MiB)\n`, exitCode: 2 });
    expect((await d.sh('echo -n $A | grep -c x')).output).toBe('1\n');
    expect(await d.sh('echo ${#A}')).toEqual({ output: 'sh: Syntax error: ${#A}: Bad substitution (only $NAME and ${NAME} expansions are supported)\n', exitCode: 2 });
    expect(await d.sh('A=$A$A')).toEqual({ output: '', exitCode: 0 });
  });

  it('a command that expands past the limit is refused; a session holds bounded variables', async () => {
    const d = dom0Rig();
    await d.sh(`A=${'x'.repeat(MAX_VALUE)}`);
    expect(await d.sh('echo $A $A $A $A $A')).toEqual({ output: `sh: the command expands to ${5 * MAX_VALUE + 4} bytes; the limit is ${4 * MAX_VALUE} bytes\n`, exitCode: 2 });
    expect((await d.sh('B=$A')).output).toMatch(/^sh: B: the session's variables would hold \d+ bytes; the limit is 2097152 bytes\n$/);
    const many = Array.from({ length: MAX_VARIABLES }, (_, i) => `V${i}=1`).join(' ');
    // HOME, PWD and A are there already: the 254th new one is one too many.
    expect((await d.sh(many)).output).toBe(`sh: V${MAX_VARIABLES - 3}: a session holds at most ${MAX_VARIABLES} variables; unset some first\n`);
  });

  it(`more than ${MAX_COMMANDS} commands in one input are refused before any runs`, async () => {
    const d = dom0Rig();
    expect(await d.sh(`A=1; ${'true;'.repeat(10_000)}`)).toEqual({ output: `sh: too many commands in one input (more than ${MAX_COMMANDS}); run them in smaller parts\n`, exitCode: 2 });
    expect((await d.sh('echo "[$A]"')).output).toBe('[]\n');
    expect(await d.sh('true;'.repeat(MAX_COMMANDS))).toEqual({ output: '', exitCode: 0 });
  });

  it(`output past ${MAX_OUTPUT} bytes is cut with a note`, async () => {
    const d = dom0Rig();
    await d.sh(`A=${'x'.repeat(MAX_VALUE)}`);
    const r = await d.sh('echo $A; echo $A; echo $A; echo $A; echo $A');
    expect(r.output.length).toBeLessThan(MAX_OUTPUT + 100);
    expect(r.output.endsWith(`\nsh: output cut at ${MAX_OUTPUT} bytes\n`)).toBe(true);
  });
});

describe('Dom0 shell: sessions', () => {
  it('a session keeps variables and the working directory; without one every call starts afresh in /root', async () => {
    const d = dom0Rig();
    await d.console.exec('cd /etc/xen; A=1', 'session-one');
    expect((await d.console.exec('pwd; echo $A', 'session-one')).output).toBe('/etc/xen\n1\n');
    expect((await d.console.exec('pwd; echo $A', 'session-two')).output).toBe('/root\n\n');
    await d.console.exec('cd /etc; A=2');
    expect((await d.console.exec('pwd; echo $A')).output).toBe('/root\n\n');
  });

  it(`at most ${MAX_SESSIONS} sessions are kept; the least recently used is forgotten`, async () => {
    const d = dom0Rig();
    await d.console.exec('A=first', 'session-0000');
    for (let i = 1; i <= MAX_SESSIONS; i++) await d.console.exec('A=x', `session-${String(i).padStart(4, '0')}`);
    expect((await d.console.exec('echo "[$A]"', 'session-0000')).output).toBe('[]\n');
    expect((await d.console.exec('echo "[$A]"', `session-${String(MAX_SESSIONS).padStart(4, '0')}`)).output).toBe('[x]\n');
  });

  it('inputs on one session run one after another, even when sent at once', async () => {
    const d = dom0Rig();
    const [, second] = await Promise.all([d.console.exec('xl list > /dev/null; A=1', 'racing-id'), d.console.exec('echo "[$A]"', 'racing-id')]);
    expect(second.output).toBe('[1]\n');
  });
});

describe('Dom0 shell: any input', () => {
  it('never rejects: every input ends with output and a status (random text and shell-shaped token soup)', async () => {
    const d = dom0Rig();
    const token = fc.constantFrom('echo', 'cat', 'ls', 'cd', 'xl', 'list', 'A=1', '$A', '${A}', '${', '}', '$', "'", '"', '\\', '#', ';', '&&', '||', '|', '&', '>', '>>', '<', '<<', '<<-', 'EOF', "'EOF'", '\n', '(', ')', '~', '*', ' ', '/etc/xen', '/sys/kernel/vgt', '$?', "$'", '2>', '\0');
    const input = fc.oneof(fc.string({ maxLength: 200 }), fc.array(token, { maxLength: 40 }).map((t) => t.join('')));
    await fc.assert(
      fc.asyncProperty(input, async (line) => {
        const r = await d.sh(line);
        expect(typeof r.output).toBe('string');
        expect(Number.isInteger(r.exitCode)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
