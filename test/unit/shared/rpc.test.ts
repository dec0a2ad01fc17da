import { describe, expect, it, vi } from 'vitest';
import { ApiError, EventHub, RpcClient, answer, readMessage, type RpcRequest } from '../../../src/shared/rpc';

/** An RpcClient over a link that records what it sends; `up` decides whether the link takes it. */
function client(up = true): { rpc: RpcClient; sent: RpcRequest[]; link: { up: boolean } } {
  const sent: RpcRequest[] = [];
  const link = { up };
  const rpc = new RpcClient({ send: (r) => (link.up ? (sent.push(r), true) : false) });
  return { rpc, sent, link };
}

describe('RpcClient (the one request core of every transport)', () => {
  it('numbers requests and settles each from its own response, in any order', async () => {
    const { rpc, sent } = client();
    const a = rpc.call('domains.list', {});
    const b = rpc.call('gpu.info', {});
    expect(sent.map((r) => [r.id, r.method])).toEqual([
      [1, 'domains.list'],
      [2, 'gpu.info'],
    ]);
    expect(rpc.receive({ id: 2, result: 'B' })).toBe(true);
    expect(rpc.receive({ id: 1, result: 'A' })).toBe(true);
    expect(await Promise.all([a, b])).toEqual(['A', 'B']);
    expect(rpc.receive({ id: 1, result: 'again' })).toBe(false); // answered once only
    expect(rpc.unanswered).toBe(0);
  });

  it('rejects with an ApiError carrying the code; an empty message names the method', async () => {
    const { rpc } = client();
    const p = rpc.call('domain.start', { name: 'x' });
    rpc.receive({ id: 1, error: { code: 'not_found', message: '' } });
    await expect(p).rejects.toMatchObject({ name: 'ApiError', code: 'not_found', message: 'domain.start failed' });
    await expect(p).rejects.toBeInstanceOf(ApiError);
  });

  it('uses the given error maker (the preload passes plain objects)', async () => {
    const rpc = new RpcClient({ send: () => true }, (shape) => ({ plain: shape.code }));
    const p = rpc.call('x', {});
    rpc.receive({ id: 1, error: { code: 'busy', message: 'later' } });
    await expect(p).rejects.toEqual({ plain: 'busy' });
  });

  it('ties an id-less error to the only call in flight, and to none when several are', async () => {
    const { rpc } = client();
    const p = rpc.call('a', {});
    expect(rpc.receive({ id: null, error: { code: 'invalid', message: 'malformed request' } })).toBe(true);
    await expect(p).rejects.toMatchObject({ code: 'invalid' });
    void rpc.call('b', {}).catch(() => undefined);
    void rpc.call('c', {}).catch(() => undefined);
    expect(rpc.receive({ id: null, error: { code: 'invalid', message: '?' } })).toBe(false);
    expect(rpc.unanswered).toBe(2);
  });

  it('keeps requests made while the link is down and sends them on flush', async () => {
    const { rpc, sent, link } = client(false);
    const p = rpc.call('a', { n: 1 });
    expect(sent).toEqual([]);
    link.up = true;
    rpc.flush();
    rpc.flush(); // sent once only
    expect(sent).toEqual([{ id: 1, method: 'a', params: { n: 1 } }]);
    rpc.receive({ id: 1, result: 5 });
    expect(await p).toBe(5);
  });

  it('failAll rejects every unanswered call with the error built from its method', async () => {
    const { rpc } = client();
    const a = rpc.call('a', {});
    const b = rpc.call('b', {});
    rpc.failAll((m) => new Error(`${m}: lost`));
    await expect(a).rejects.toThrow('a: lost');
    await expect(b).rejects.toThrow('b: lost');
    expect(rpc.unanswered).toBe(0);
  });
});

describe('readMessage (untrusted wire input)', () => {
  it('reads responses and events and refuses anything else', () => {
    expect(readMessage({ id: 3, result: null })).toEqual({ response: { id: 3, result: null } });
    expect(readMessage({ id: 'x', error: { code: 'state', message: 'paused' } })).toEqual({ response: { id: 'x', error: { code: 'state', message: 'paused' } } });
    expect(readMessage({ event: 'display', data: { foreground: 1 } })).toEqual({ event: { event: 'display', data: { foreground: 1 } } });
    expect(readMessage({ id: 3 })).toBeNull();
    expect(readMessage({ id: {}, result: 1 })).toBeNull();
    expect(readMessage('text')).toBeNull();
    expect(readMessage(null)).toBeNull();
  });

  it('reads an unknown error code as internal and a missing message as empty', () => {
    expect(readMessage({ id: 1, error: { code: 'EVIL', message: 7 } })).toEqual({ response: { id: 1, error: { code: 'internal', message: '' } } });
  });
});

describe('answer (the GPU thread side)', () => {
  it('wraps results, keeps ApiError codes and turns anything else into internal', () => {
    expect(answer(1, () => 42)).toEqual({ id: 1, result: 42 });
    expect(answer(2, () => undefined)).toEqual({ id: 2, result: null });
    expect(
      answer(3, () => {
        throw new ApiError('not_found', 'no vGPU for domain 4');
      }),
    ).toEqual({ id: 3, error: { code: 'not_found', message: 'no vGPU for domain 4' } });
    expect(
      answer(4, () => {
        throw new RangeError('offset 0x3 is not 4-byte aligned');
      }),
    ).toEqual({ id: 4, error: { code: 'internal', message: 'offset 0x3 is not 4-byte aligned' } });
  });
});

describe('EventHub', () => {
  it('isolates a failing subscriber and unsubscribes', () => {
    const hub = new EventHub<number>('test');
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const got: number[] = [];
    hub.on(() => {
      throw new Error('boom');
    });
    const off = hub.on((n) => got.push(n));
    hub.emit(1);
    off();
    hub.emit(2);
    expect(got).toEqual([1]);
    expect(error).toHaveBeenCalledTimes(2);
    error.mockRestore();
  });
});
