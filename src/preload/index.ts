/**
 * Preload (sandboxed, context-isolated): exposes exactly `window.gvtDesk = { invoke, on, onFrame }`
 * — the ApiClient of src/shared/api.ts — over IPC. Nothing of Electron (ipcRenderer, events,
 * senders) reaches the page.
 *
 * - invoke(method, params) resolves with the result; on refusal it rejects with a plain
 *   `{ name: 'ApiError', code, message }` object (Error objects lose custom properties such as
 *   `code` when they cross the context bridge; a plain object keeps them).
 * - on(event, handler) subscribes to a host push event; returns an unsubscribe function.
 * - onFrame(handler) delivers decoded frame messages (FrameMessage, pixels as Uint8ClampedArray);
 *   returns an unsubscribe function.
 *
 * A sandboxed preload can require only `electron` (and a few Node shims): this file must not import
 * runtime code from src/shared/api.ts (it pulls in zod). Frames therefore arrive already decoded by
 * the main process; only types come from the shared contract.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiErrorShape, EventName, FrameMessage } from '../shared/api';
import { CHANNELS } from '../main/electron/channels';

const EVENTS = { domains: true, serial: true, display: true, ports: true } as const satisfies Record<EventName, true>;

let nextId = 1;
const frameHandlers = new Set<(frame: FrameMessage) => void>();

type Response = { id: unknown; result: unknown } | { id: unknown; error: ApiErrorShape };

function invoke(method: string, params: unknown): Promise<unknown> {
  const id = nextId++;
  return ipcRenderer.invoke(CHANNELS.invoke, { id, method, params }).then((response: Response) => {
    if ('error' in response) {
      return Promise.reject({ name: 'ApiError', code: response.error.code, message: response.error.message });
    }
    return response.result;
  });
}

function on(event: string, handler: (data: unknown) => void): () => void {
  if (!Object.hasOwn(EVENTS, event)) throw new TypeError(`unknown event '${event}'`);
  if (typeof handler !== 'function') throw new TypeError('handler must be a function');
  const listener = (_e: IpcRendererEvent, msg: { event: string; data: unknown }): void => {
    if (msg.event === event) handler(msg.data);
  };
  ipcRenderer.on(CHANNELS.event, listener);
  return () => {
    ipcRenderer.removeListener(CHANNELS.event, listener);
  };
}

function onFrame(handler: (frame: FrameMessage) => void): () => void {
  if (typeof handler !== 'function') throw new TypeError('handler must be a function');
  frameHandlers.add(handler);
  return () => {
    frameHandlers.delete(handler);
  };
}

// One IPC listener for frames (decoded by the main process): hand each to every subscriber, then
// acknowledge it so the main process sends more (flow control).
ipcRenderer.on(CHANNELS.frame, (_e: IpcRendererEvent, frame: FrameMessage) => {
  for (const handler of frameHandlers) {
    try {
      handler(frame);
    } catch (err) {
      console.error('gvt-desk: frame handler failed', err);
    }
  }
  ipcRenderer.send(CHANNELS.frameAck);
});

contextBridge.exposeInMainWorld('gvtDesk', { invoke, on, onFrame });
