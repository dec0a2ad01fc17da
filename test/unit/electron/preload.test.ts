import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { readFile } from 'node:fs/promises';
import { decodeFrame, encodeFrame, type FrameMessage } from '../../../src/shared/api';
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

  it('onFrame hands decoded frames to every subscriber, acks each one, and unsubscribes', () => {
    const got = vi.fn();
    const failing = vi.fn(() => {
      throw new Error('subscriber bug');
    });
    const offFailing = api.onFrame(failing);
    const off = api.onFrame(got);
    ipcRenderer.send.mockClear();
    const frame = decodeFrame(encodeFrame({ source: 2, width: 4, height: 4, x: 1, y: 1, w: 1, h: 1, seq: 9 }, new Uint8Array([1, 2, 3, 4])));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    ipcRenderer.emit(CHANNELS.frame, {}, frame);
    // A failing subscriber neither starves the others nor stalls flow control.
    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
    expect(got.mock.calls).toEqual([[frame]]);
    expect(ipcRenderer.send.mock.calls).toEqual([[CHANNELS.frameAck]]);
    off();
    offFailing();
    ipcRenderer.emit(CHANNELS.frame, {}, frame);
    expect(got).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.send).toHaveBeenCalledTimes(2);
  });

  it('loads no runtime module but electron, the channel names and the dependency-free RPC core (a sandboxed preload cannot require npm modules)', async () => {
    const source = await readFile(new URL('../../../src/preload/index.ts', import.meta.url), 'utf8');
    const runtimeImports = [...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    expect(runtimeImports.sort()).toEqual(['../main/electron/channels', '../shared/rpc', 'electron']);
    for (const bundled of ['../../../src/main/electron/channels.ts', '../../../src/shared/rpc.ts']) {
      const text = await readFile(new URL(bundled, import.meta.url), 'utf8');
      expect(text, bundled).not.toMatch(/^import\s/m);
    }
  });
});
