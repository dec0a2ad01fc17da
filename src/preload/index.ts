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
 * runtime code from src/shared/api.ts (it pulls in zod); the RPC core (src/shared/rpc.ts) is
 * dependency-free and bundled in. Frames therefore arrive already decoded by
 * the main process; only types come from the shared contract.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EventName, FrameMessage } from '../shared/api';
import { EventHub, RpcClient, type RpcResponse } from '../shared/rpc';
import { CHANNELS } from '../main/electron/channels';

const EVENTS = { domains: true, serial: true, display: true, ports: true } as const satisfies Record<EventName, true>;

const frames = new EventHub<FrameMessage>('frame');

// The shared RPC core numbers and settles requests; each one travels as one ipcRenderer.invoke.
// Refusals become plain objects: Error objects lose `code` on their way over the context bridge.
const rpc = new RpcClient(
  {
    send(request) {
      ipcRenderer.invoke(CHANNELS.invoke, request).then(
        // Each invoke's answer is its own request's, even a refusal the host could not tie to an id.
        (response: RpcResponse) => rpc.receive({ ...response, id: request.id }),
        (err: unknown) => rpc.receive({ id: request.id, error: { code: 'internal', message: `${request.method}: IPC failed (${err instanceof Error ? err.message : String(err)})` } }),
      );
      return true;
    },
  },
  (shape, method) => ({ name: 'ApiError', code: shape.code, message: shape.message || `${method} failed` }),
);

function invoke(method: string, params: unknown): Promise<unknown> {
  return rpc.call(method, params);
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
  return frames.on(handler);
}

// One IPC listener for frames (decoded by the main process): hand each to every subscriber, then
// acknowledge it so the main process sends more (flow control).
ipcRenderer.on(CHANNELS.frame, (_e: IpcRendererEvent, frame: FrameMessage) => {
  frames.emit(frame);
  ipcRenderer.send(CHANNELS.frameAck);
});

contextBridge.exposeInMainWorld('gvtDesk', { invoke, on, onFrame });
