// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { Completion } from '../../../src/renderer/lib/completion';
import { LineEditor } from '../../../src/renderer/lib/line-editor';

const PROMPT = 'root@dom0:~# ';

/** A HistoryStore in memory, recording what the editor adds. */
function memoryStore(entries: string[] = []) {
  return { entries, load: () => [...entries], add: (e: string) => void entries.push(e) };
}

function setup(outputs: Record<string, string> = {}, opts: { completions?: Record<string, Completion>; store?: ReturnType<typeof memoryStore> } = {}) {
  const lines: string[] = [];
  const completed: string[] = [];
  let log = '';
  let term = '';
  const pending: (() => void)[] = [];
  const store = opts.store ?? memoryStore();
  const editor = new LineEditor(
    PROMPT,
    {
      term: (d) => (term += d),
      log: (t) => (log += t),
      exec: (line) => {
        lines.push(line);
        if (line === 'boom') return Promise.reject(new Error('console.exec: host went away'));
        return new Promise((resolve) => pending.push(() => resolve(outputs[line] ?? '')));
      },
      complete: (line) => {
        completed.push(line);
        const answer = opts.completions?.[line];
        if (!answer) return Promise.reject(new Error('console.complete: no answer'));
        return new Promise((resolve) => pending.push(() => resolve(answer)));
      },
      columns: () => 40,
    },
    store,
  );
  editor.start();
  /** Answer every pending exec and complete call, including those the answers cause. */
  const finish = async () => {
    for (;;) {
      await new Promise((r) => setTimeout(r, 0));
      if (!pending.length) return;
      while (pending.length) pending.shift()!();
    }
  };
  return { editor, lines, completed, store, finish, log: () => log, term: () => term };
}

describe('Dom0 console line editor', () => {
  it('sends the typed line on enter and prints output with CRLF, then a new prompt', async () => {
    const s = setup({ 'xl list': 'Name ID\nDomain-0 0\n' });
    s.editor.input('xl lisx\x7ft\r');
    expect(s.lines).toEqual(['xl list']);
    await s.finish();
    expect(s.log()).toBe(`${PROMPT}xl list\nName ID\nDomain-0 0\n${PROMPT}`);
    expect(s.term()).toContain('Name ID\r\nDomain-0 0\r\n' + PROMPT);
  });

  it('recalls history with up/down and restores the draft', async () => {
    const s = setup();
    s.editor.input('xl list\r');
    await s.finish();
    s.editor.input('echo 1 > /sys/kernel/vgt/control/foreground_vm\r');
    await s.finish();
    s.editor.input('draft');
    s.editor.input('\x1b[A\x1b[A\r');
    await s.finish();
    s.editor.input('again\x1b[A\x1b[B\x1b[B\r');
    await s.finish();
    expect(s.lines).toEqual(['xl list', 'echo 1 > /sys/kernel/vgt/control/foreground_vm', 'xl list', 'again']);
  });

  it('Ctrl-C drops the line; empty lines are not sent', async () => {
    const s = setup();
    s.editor.input('xl destroy 1\x03\r');
    expect(s.lines).toEqual([]);
    expect(s.log()).toBe(`${PROMPT}xl destroy 1^C\n${PROMPT}\n${PROMPT}`);
  });

  it('holds keystrokes typed while a command runs and replays them at the prompt', async () => {
    const s = setup();
    s.editor.input('xl list\rxl info\r');
    expect(s.lines).toEqual(['xl list']);
    await s.finish();
    expect(s.lines).toEqual(['xl list', 'xl info']);
  });

  it('prints a failed call as the command output', async () => {
    const s = setup();
    s.editor.input('boom\r');
    await s.finish();
    expect(s.log()).toBe(`${PROMPT}boom\nconsole.exec: host went away\n${PROMPT}`);
  });

  it('keeps its history in the store: loads it at start, adds each new command once', async () => {
    const store = memoryStore(['xl list', 'xl info']);
    const s = setup({}, { store });
    s.editor.input('\x1b[A\x1b[A\r');
    await s.finish();
    s.editor.input('xl info\rxl info\r   \r');
    await s.finish();
    expect(s.lines).toEqual(['xl list', 'xl info', 'xl info']);
    expect(store.entries).toEqual(['xl list', 'xl info', 'xl list', 'xl info']);
  });

  it('keeps at most 500 entries', async () => {
    const store = memoryStore(Array.from({ length: 600 }, (_, i) => `echo ${i}`));
    const s = setup({}, { store });
    s.editor.input('\x1b[A'.repeat(700) + '\r');
    await s.finish();
    expect(s.lines).toEqual(['echo 100']);
  });
});

describe('here-documents', () => {
  const CMD = 'cat > /etc/xen/vm1.hvm <<EOF';

  it('reads body lines at a > prompt up to the delimiter and runs them as one exec', async () => {
    const s = setup({ [`${CMD}\nname = "vm1"\nmemory = 2048\nEOF`]: 'written' });
    s.editor.input(`${CMD}\r`);
    s.editor.input('name = "vm1"\r');
    s.editor.input('memory = 2048\r');
    expect(s.lines).toEqual([]);
    s.editor.input('EOF\r');
    expect(s.lines).toEqual([`${CMD}\nname = "vm1"\nmemory = 2048\nEOF`]);
    await s.finish();
    expect(s.log()).toBe(`${PROMPT}${CMD}\n> name = "vm1"\n> memory = 2048\n> EOF\nwritten\n${PROMPT}`);
    expect(s.term()).toContain('\r\n> name = "vm1"\r\n> ');
  });

  it('takes a pasted here-document whole, and the commands pasted after it in turn', async () => {
    const s = setup();
    s.editor.input("cat <<'END' > /etc/xen/a.hvm\r\nvgt = 1\r\nEND\r\nxl create a.hvm\r\n");
    expect(s.lines).toEqual(["cat <<'END' > /etc/xen/a.hvm\nvgt = 1\nEND"]);
    await s.finish();
    expect(s.lines).toEqual(["cat <<'END' > /etc/xen/a.hvm\nvgt = 1\nEND", 'xl create a.hvm']);
  });

  it('<<-: a tab-indented delimiter ends it; Tab in a body is a literal tab, not completion', async () => {
    const s = setup();
    s.editor.input('cat <<-EOF\r\tx\r\t\x7fy\r\tEOF\r');
    expect(s.completed).toEqual([]);
    expect(s.lines).toEqual(['cat <<-EOF\n\tx\ny\n\tEOF']);
    expect(s.term()).toContain('\r\x1b[K> '); // erasing a tab redraws the row
  });

  it('"<<" in quotes is not a here-document: the line runs at once', () => {
    const s = setup();
    s.editor.input('echo "<<EOF" > /tmp/x\r');
    expect(s.lines).toEqual(['echo "<<EOF" > /tmp/x']);
  });

  it('Ctrl+C abandons the whole input and comes back to the main prompt', async () => {
    const s = setup();
    s.editor.input(`${CMD}\rname = "vm1"\rmem\x03`);
    expect(s.log()).toBe(`${PROMPT}${CMD}\n> name = "vm1"\n> mem^C\n${PROMPT}`);
    s.editor.input('EOF\r');
    expect(s.lines).toEqual(['EOF']);
    await s.finish();
  });

  it('the history gets the first line only; recalling it opens the here-document again', async () => {
    const store = memoryStore();
    const s = setup({}, { store });
    s.editor.input(`${CMD}\rbody\rEOF\r`);
    await s.finish();
    expect(store.entries).toEqual([CMD]);
    s.editor.input('\x1b[A\r');
    expect(s.lines).toHaveLength(1);
    s.editor.input('other\rEOF\r');
    expect(s.lines[1]).toBe(`${CMD}\nother\nEOF`);
    await s.finish();
  });
});

describe('Tab completion', () => {
  it('completes a unique candidate with a space after it, a directory without', async () => {
    const s = setup({}, { completions: { 'xl cr': { from: 3, candidates: ['create'] }, 'ls /etc/x': { from: 3, candidates: ['/etc/xen/'] } } });
    s.editor.input('xl cr\t');
    await s.finish();
    s.editor.input('x.hvm\r');
    await s.finish();
    s.editor.input('ls /etc/x\t\r');
    await s.finish();
    expect(s.lines).toEqual(['xl create x.hvm', 'ls /etc/xen/']);
    expect(s.completed).toEqual(['xl cr', 'ls /etc/x']);
  });

  it('completes the common prefix, then lists the candidates in columns on a second Tab and reprints the line', async () => {
    const candidates = ['/etc/xen/xlexample.hvm', '/etc/xen/xmexample.conf', '/etc/xen/xmexample.hvm'];
    const s = setup({}, { completions: { 'cat /etc/xen/': { from: 4, candidates }, 'cat /etc/xen/x': { from: 4, candidates } } });
    s.editor.input('cat /etc/xen/\t');
    await s.finish();
    expect(s.term().endsWith('/etc/xen/x')).toBe(true);
    s.editor.input('\t');
    await s.finish();
    // Columns 16 wide (xmexample.conf and two blanks): two fit in 40, filled top to bottom.
    const rows = ['xlexample.hvm   xmexample.hvm', 'xmexample.conf'];
    expect(s.term().endsWith(`cat /etc/xen/x\r\n${rows.join('\r\n')}\r\n${PROMPT}cat /etc/xen/x`)).toBe(true);
    expect(s.log()).toBe(`${PROMPT}cat /etc/xen/x\n${rows.join('\n')}\n${PROMPT}`);
    s.editor.input('l\r');
    expect(s.lines).toEqual(['cat /etc/xen/xl']);
    await s.finish();
  });

  it('an ambiguous first Tab with nothing to add rings the bell; a second lists', async () => {
    const s = setup({}, { completions: { 'xl c': { from: 3, candidates: ['console', 'create'] } } });
    s.editor.input('xl c\t');
    await s.finish();
    expect(s.term().endsWith('xl c\x07')).toBe(true);
    s.editor.input('\t');
    await s.finish();
    expect(s.term()).toContain('\r\nconsole  create\r\n');
  });

  it('no candidate, or no answer, rings the bell and leaves the line alone', async () => {
    const s = setup({}, { completions: { frob: { from: 0, candidates: [] } } });
    s.editor.input('frob\t');
    await s.finish();
    s.editor.input('\t'); // a second Tab with none: still the bell
    await s.finish();
    s.editor.input('z\t'); // complete() rejects for "frobz"
    await s.finish();
    expect(s.term()).toBe(`${PROMPT}frob\x07\x07z\x07`);
  });

  it('keystrokes typed while the host answers follow the completion in order', async () => {
    const s = setup({}, { completions: { 'xl li': { from: 3, candidates: ['list'] }, 'xl list -': { from: 8, candidates: ['-l'] } } });
    s.editor.input('xl li\t');
    s.editor.input('-');
    s.editor.input('\t');
    s.editor.input(' vm1\r');
    expect(s.completed).toEqual(['xl li']);
    await s.finish();
    expect(s.completed).toEqual(['xl li', 'xl list -']);
    expect(s.lines).toEqual(['xl list -l  vm1']);
  });
});
