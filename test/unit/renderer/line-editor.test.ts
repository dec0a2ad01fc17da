// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { LineEditor } from '../../../src/renderer/lib/line-editor';

const PROMPT = 'root@dom0:~# ';

function setup(outputs: Record<string, string> = {}) {
  const lines: string[] = [];
  let log = '';
  let term = '';
  const pending: (() => void)[] = [];
  const editor = new LineEditor(PROMPT, {
    term: (d) => (term += d),
    log: (t) => (log += t),
    exec: (line) => {
      lines.push(line);
      if (line === 'boom') return Promise.reject(new Error('console.exec: host went away'));
      return new Promise((resolve) => pending.push(() => resolve(outputs[line] ?? '')));
    },
  });
  editor.start();
  const finish = async () => {
    while (pending.length) pending.shift()!();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { editor, lines, finish, log: () => log, term: () => term };
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
});
