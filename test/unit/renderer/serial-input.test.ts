import { describe, expect, it } from 'vitest';
import { ApiError, MAX_SERIAL_INPUT } from '../../../src/shared/api';
import { CONSOLE_ESCAPE, ConsoleAttach } from '../../../src/renderer/lib/console-attach';
import { TextSender } from '../../../src/renderer/lib/text-sender';

const tick = async (): Promise<void> => {
  for (let i = 0; i < 4; i++) await Promise.resolve();
};

describe('TextSender', () => {
  it('sends in order, one call at a time, joining what was typed meanwhile', async () => {
    const sent: string[] = [];
    const open: (() => void)[] = [];
    const sender = new TextSender(
      (text) => {
        sent.push(text);
        return new Promise<void>((r) => open.push(r));
      },
      () => undefined,
    );
    sender.type('u');
    sender.type('n');
    sender.type('ame\r');
    expect(sent).toEqual(['u']);
    open.shift()!();
    await tick();
    expect(sent).toEqual(['u', 'name\r']);
  });

  it('splits a long paste into calls of at most MAX_SERIAL_INPUT characters, never inside a surrogate pair', async () => {
    const sent: string[] = [];
    const sender = new TextSender(
      async (text) => void sent.push(text),
      () => undefined,
    );
    const paste = 'a'.repeat(MAX_SERIAL_INPUT - 1) + '😀' + 'b'.repeat(10);
    sender.type(paste);
    await tick();
    expect(sent.join('')).toBe(paste);
    expect(sent.every((s) => s.length <= MAX_SERIAL_INPUT)).toBe(true);
    expect(sent[0]).toBe('a'.repeat(MAX_SERIAL_INPUT - 1));
  });

  it('reports a refusal once until a call succeeds, and keeps sending', async () => {
    const failures: string[] = [];
    let refuse = true;
    const sender = new TextSender(
      async () => {
        if (refuse) throw new ApiError('state', "cannot type into domain 'vm': it is paused");
      },
      (message) => failures.push(message),
    );
    sender.type('a');
    await tick();
    sender.type('b');
    await tick();
    expect(failures).toEqual(["cannot type into domain 'vm': it is paused"]);
    refuse = false;
    sender.type('c');
    await tick();
    refuse = true;
    sender.type('d');
    await tick();
    expect(failures).toHaveLength(2);
  });
});

describe('ConsoleAttach (xl console in the Dom0 console)', () => {
  function attach() {
    const written: string[] = [];
    const sent: string[] = [];
    const session = new ConsoleAttach('vgtHVMDomain', { write: (t) => written.push(t), send: (t) => sent.push(t) });
    return { session, written, sent };
  }

  it('shows serial output and sends keystrokes until Ctrl+], then detaches on a fresh line', async () => {
    const { session, written, sent } = attach();
    session.output('root@vgtHVMDomain:~# ');
    session.input('uname\r');
    session.input(`ab${CONSOLE_ESCAPE}ignored`);
    expect(written).toEqual(['root@vgtHVMDomain:~# ']);
    expect(sent).toEqual(['uname\r', 'ab']);
    expect(session.attached).toBe(false);
    expect(await session.detached).toBe('\n[detached from vgtHVMDomain]\n');
    session.input('more');
    session.output('late');
    expect(sent).toEqual(['uname\r', 'ab']);
    expect(written).toHaveLength(1);
  });

  it('needs no extra line break after output that ended one, and names why it ended on its own', async () => {
    const { session } = attach();
    session.output('Linux vgtHVMDomain\n');
    session.detach('domid 1 is gone');
    session.detach();
    expect(await session.detached).toBe('[detached from vgtHVMDomain: domid 1 is gone]\n');
  });
});
