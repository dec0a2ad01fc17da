import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeFrame, type FrameMessage } from '../../../src/shared/api';
import { CHANNELS } from '../../../src/main/electron/channels';

const ipcRenderer = Object.assign(new EventEmitter(), {
  invoke: vi.fn(),
  send: vi.fn(),
});
const exposed: Record<string, unknown> = {};
const contextBridge = {
  exposeInMainWorld: vi.fn((key: string, api: unknown) => {
    exposed[key] = api;
  }),
};

vi.mock('electron', () => ({ contextBridge, ipcRenderer }));

interface GvtDesk {
  invoke(method: string, params: unknown): Promise<unknown>;
  on(event: string, cb: (data: unknown) => void): () => void;
  onFrame(cb: (frame: FrameMessage) => void): () => void;
}
let api: GvtDesk;

beforeAll(async () => {
  await import('../../../src/preload/index');
  api = exposed.gvtDesk as GvtDesk;
});

describe('preload', () => {
  it('exposes exactly window.gvtDesk = { invoke, on, onFrame }', () => {
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(contextBridge.exposeInMainWorld.mock.calls[0]?.[0]).toBe('gvtDesk');
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'onFrame']);
    for (const fn of Object.values(api)) expect(typeof fn).toBe('function');
  });

  it('invoke sends { id, method, params } over gvt:invoke and resolves with the result', async () => {
    ipcRenderer.invoke.mockImplementationOnce(async (_channel: string, req: { id: number }) => ({ id: req.id, result: [1, 2] }));
    await expect(api.invoke('domains.list', {})).resolves.toEqual([1, 2]);
    const [channel, req] = ipcRenderer.invoke.mock.calls.at(-1)!;
    expect(channel).toBe(CHANNELS.invoke);
    expect(req).toMatchObject({ method: 'domains.list', params: {} });
    expect(typeof req.id).toBe('number');
  });

  it('invoke rejects with a plain { name, code, message } object (survives the context bridge)', async () => {
    ipcRenderer.invoke.mockImplementationOnce(async (_c: string, req: { id: number }) => ({ id: req.id, error: { code: 'not_found', message: 'no vm9' } }));
    const err = await api.invoke('domain.destroy', { ref: 'vm9' }).catch((e: unknown) => e);
    expect(err).toEqual({ name: 'ApiError', code: 'not_found', message: 'no vm9' });
    expect(Object.getPrototypeOf(err)).toBe(Object.prototype);
  });

  it('on delivers only its event, without the IPC event object, until unsubscribed', () => {
    const display = vi.fn();
    const off = api.on('display', display);
    ipcRenderer.emit(CHANNELS.event, { sender: 'secret' }, { event: 'serial', data: { domid: 1, text: 'x' } });
    ipcRenderer.emit(CHANNELS.event, { sender: 'secret' }, { event: 'display', data: { foreground: 2 } });
    expect(display.mock.calls).toEqual([[{ foreground: 2 }]]);
    off();
    ipcRenderer.emit(CHANNELS.event, {}, { event: 'display', data: { foreground: 3 } });
    expect(display).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.listenerCount(CHANNELS.event)).toBe(0);
  });

  it('on refuses unknown event names', () => {
    expect(() => api.on('gvt:invoke', vi.fn())).toThrow("unknown event 'gvt:invoke'");
  });

  it('onFrame decodes frame messages, acks each one, and unsubscribes', () => {
    const got = vi.fn();
    const off = api.onFrame(got);
    ipcRenderer.send.mockClear();
    ipcRenderer.emit(CHANNELS.frame, {}, encodeFrame({ source: 2, width: 4, height: 4, x: 1, y: 1, w: 1, h: 1, seq: 9 }, new Uint8Array([1, 2, 3, 4])));
    expect(got).toHaveBeenCalledTimes(1);
    const frame = got.mock.calls[0]![0] as FrameMessage;
    expect(frame).toMatchObject({ source: 2, width: 4, height: 4, x: 1, y: 1, w: 1, h: 1, seq: 9 });
    expect([...frame.rgba]).toEqual([1, 2, 3, 4]);
    // A bad message is dropped but still acknowledged, so flow control does not stall.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    ipcRenderer.emit(CHANNELS.frame, {}, new Uint8Array(3));
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    expect(got).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.send.mock.calls).toEqual([[CHANNELS.frameAck], [CHANNELS.frameAck]]);
    off();
    ipcRenderer.emit(CHANNELS.frame, {}, encodeFrame({ source: 2, width: 1, height: 1, x: 0, y: 0, w: 1, h: 1, seq: 10 }, new Uint8Array(4)));
    expect(got).toHaveBeenCalledTimes(1);
  });
});
