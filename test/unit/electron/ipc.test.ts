import { describe, expect, it, vi } from 'vitest';
import { encodeFrame } from '../../../src/shared/api';
import { createElectronMock, FakeBrowserWindow, FakeWebContents } from './electron-mock';
import { createFakeHost } from '../fakes/fake-host';

vi.mock('electron', async () => (await import('./electron-mock')).createElectronMock());

const { CHANNELS } = await import('../../../src/main/electron/channels');
const { MAX_FRAMES_IN_FLIGHT, makeSenderCheck, pushHostToWindow, registerIpc } = await import('../../../src/main/electron/ipc');
const { isRendererUrl } = await import('../../../src/main/electron/window');

const OUR_URL = 'app://gvt-desk/index.html';

function setup() {
  const { ipcMain } = createElectronMock();
  const host = createFakeHost();
  const win = new FakeBrowserWindow({});
  win.webContents.mainFrame.url = OUR_URL;
  // Wired as app.ts wires it for the built renderer.
  const isTrustedSender = makeSenderCheck(() => win as never, (url) => isRendererUrl(url, { kind: 'app' }));
  const onFrameAck = vi.fn();
  const log = vi.fn();
  const unregister = registerIpc({ ipcMain: ipcMain as never, host, isTrustedSender, onFrameAck, log });
  const invoke = (event: unknown, request: unknown) => ipcMain.handlers.get(CHANNELS.invoke)!(event, request) as Promise<unknown>;
  const eventFrom = (sender: { id: number }, url = OUR_URL, parent: unknown = null) => ({ sender, senderFrame: { url, parent } });
  return { ipcMain, host, win, invoke, eventFrom, onFrameAck, log, unregister };
}

describe('gvt:invoke', () => {
  it('runs a request from our window through protocol.ts', async () => {
    const { host, win, invoke, eventFrom } = setup();
    expect(await invoke(eventFrom(win.webContents), { id: 1, method: 'domains.list', params: {} })).toEqual({ id: 1, result: host.domains });
    expect(await invoke(eventFrom(win.webContents), { id: 2, method: 'nope' })).toEqual({ id: 2, error: { code: 'invalid', message: "unknown method 'nope'" } });
    expect(host.calls).toHaveLength(1);
  });

  it.each([
    ['another window', () => new FakeWebContents(), OUR_URL, null],
    ['a subframe of our window', null, OUR_URL, { url: OUR_URL }],
    ['our window showing a foreign page', null, 'https://evil.example/', null],
    ['our window showing a file: page', null, 'file:///app/out/renderer/index.html', null],
    ['our window showing another app:// host', null, 'app://evil/index.html', null],
  ])('refuses a request from %s without calling the host', async (_name, otherSender, url, parent) => {
    const { host, win, invoke, eventFrom, log } = setup();
    const sender = otherSender ? otherSender() : win.webContents;
    const res = await invoke(eventFrom(sender, url, parent), { id: 1, method: 'display.setForeground', params: { domid: 1 } });
    expect(res).toEqual({ id: null, error: { code: 'invalid', message: 'request refused: the sender is not the GVT Desk window' } });
    expect(host.calls).toEqual([]);
    expect(log).toHaveBeenCalled();
  });

  it('refuses when the frame is gone or the window was destroyed', async () => {
    const { host, win, invoke } = setup();
    await invoke({ sender: win.webContents, senderFrame: null }, { id: 1, method: 'domains.list', params: {} });
    win.destroyed = true;
    await invoke({ sender: win.webContents, senderFrame: { url: OUR_URL, parent: null } }, { id: 2, method: 'domains.list', params: {} });
    expect(host.calls).toEqual([]);
  });

  it('counts frame acks only from our window and unregisters', () => {
    const { ipcMain, win, eventFrom, onFrameAck, unregister } = setup();
    ipcMain.emit(CHANNELS.frameAck, eventFrom(new FakeWebContents()));
    expect(onFrameAck).not.toHaveBeenCalled();
    ipcMain.emit(CHANNELS.frameAck, eventFrom(win.webContents));
    expect(onFrameAck).toHaveBeenCalledTimes(1);
    unregister();
    expect(ipcMain.removeHandler).toHaveBeenCalledWith(CHANNELS.invoke);
    expect(ipcMain.listenerCount(CHANNELS.frameAck)).toBe(0);
  });
});

describe('pushHostToWindow', () => {
  const frame = (seq: number) => encodeFrame({ source: 1, width: 1, height: 1, x: 0, y: 0, w: 1, h: 1, seq }, new Uint8Array(4));

  it('forwards host events as gvt:event { event, data }', () => {
    const host = createFakeHost();
    const wc = new FakeWebContents();
    const push = pushHostToWindow(host, wc as never);
    host.emit('display', { foreground: 3 });
    host.emit('serial', { domid: 1, text: 'hi' });
    expect(wc.sent).toEqual([
      { channel: CHANNELS.event, args: [{ event: 'display', data: { foreground: 3 } }] },
      { channel: CHANNELS.event, args: [{ event: 'serial', data: { domid: 1, text: 'hi' } }] },
    ]);
    push.dispose();
    expect(host.listenerCount()).toBe(0);
  });

  it('sends frames as gvt:frame with at most MAX_FRAMES_IN_FLIGHT unacknowledged', () => {
    const host = createFakeHost();
    const wc = new FakeWebContents();
    const push = pushHostToWindow(host, wc as never, vi.fn());
    for (let i = 1; i <= MAX_FRAMES_IN_FLIGHT + 5; i++) host.emitFrame(frame(i));
    const frames = () => wc.sent.filter((s) => s.channel === CHANNELS.frame);
    expect(frames()).toHaveLength(MAX_FRAMES_IN_FLIGHT);
    // Sent decoded: the sandboxed preload cannot load the decoder.
    expect(frames()[0]?.args[0]).toMatchObject({ source: 1, width: 1, height: 1, seq: 1, rgba: new Uint8ClampedArray(4) });
    expect(push.flow.stats.dropped).toBe(5);
    push.ack();
    push.dispose();
  });

  it('the window watches what its page says (frame.watch over IPC); a reload (reset) watches everything again; closing it drops its watch', async () => {
    const host = createFakeHost();
    const wc = new FakeWebContents();
    const push = pushHostToWindow(host, wc as never, vi.fn());
    const { ipcMain } = createElectronMock();
    const win = new FakeBrowserWindow({});
    win.webContents.mainFrame.url = OUR_URL;
    registerIpc({ ipcMain: ipcMain as never, host, isTrustedSender: () => true, frames: () => push.flow, log: vi.fn() });
    const invoke = (request: unknown) => ipcMain.handlers.get(CHANNELS.invoke)!({ sender: win.webContents, senderFrame: { url: OUR_URL, parent: null } }, request) as Promise<unknown>;
    expect(host.composed.at(-1)).toBeNull();
    expect(await invoke({ id: 1, method: 'frame.watch', params: { sources: [2] } })).toEqual({ id: 1, result: { watching: 1 } });
    expect(host.composed.at(-1)).toEqual([2]);
    host.emitFrame(frame(1)); // source 1: not watched
    expect(wc.sent.filter((m) => m.channel === CHANNELS.frame)).toHaveLength(0);
    push.reset();
    expect(host.composed.at(-1)).toBeNull();
    host.emitFrame(frame(2));
    expect(wc.sent.filter((m) => m.channel === CHANNELS.frame)).toHaveLength(1);
    push.dispose();
    expect(host.composed.at(-1)).toEqual([]);
  });

  it('drops a malformed frame message without counting it in flight', () => {
    const host = createFakeHost();
    const wc = new FakeWebContents();
    const log = vi.fn();
    pushHostToWindow(host, wc as never, log);
    for (let i = 0; i < MAX_FRAMES_IN_FLIGHT + 1; i++) host.emitFrame(new Uint8Array([0x47, 0x56, 0x54, 0x46, 1, 2, 3]));
    expect(wc.sent).toEqual([]);
    expect(log).toHaveBeenCalledTimes(MAX_FRAMES_IN_FLIGHT + 1);
    host.emitFrame(frame(1));
    expect(wc.sent).toHaveLength(1);
  });

  it('stops sending to a destroyed webContents', () => {
    const host = createFakeHost();
    const wc = new FakeWebContents();
    pushHostToWindow(host, wc as never);
    wc.destroyed = true;
    host.emit('display', { foreground: 1 });
    host.emitFrame(frame(1));
    expect(wc.sent).toEqual([]);
  });
});
