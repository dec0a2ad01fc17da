/**
 * Picks the transport for this window and hands it to components and stores by injection,
 * so tests can provide a fake ApiClient instead.
 */
import { inject, type InjectionKey } from 'vue';
import type { ApiClient } from '../../shared/api';
import { frameDrain } from '../lib/frame-painter';
import { WsClient, apiUrlFor, type ConnectionStatus } from './ws-client';

export const apiKey: InjectionKey<ApiClient> = Symbol('gvt-desk api');

export interface Transport {
  client: ApiClient;
  /** Calls handler with the current connection state, then with every change. */
  onStatus(handler: (status: ConnectionStatus) => void): () => void;
}

/** Electron: the preload's window.gvtDesk. Browser mode: a WebSocket back to the serving host. */
export function createTransport(win: Window = window): Transport {
  if (win.gvtDesk) {
    const ipc = win.gvtDesk;
    // Electron IPC has no connection to lose.
    return { client: ipc, onStatus: (handler) => (handler('open'), () => undefined) };
  }
  // Frames are acknowledged once the paint worker has taken the batch they went in, at the page's
  // next paint: a worker that falls behind holds the host's stream back (see frameDrain).
  const ws = new WsClient(apiUrlFor(win.location), { nextPaint: (fn) => void win.requestAnimationFrame(fn), whenTaken: (fn) => frameDrain.whenTaken(fn) });
  return {
    client: ws,
    onStatus(handler) {
      handler(ws.status);
      return ws.onStatus(handler);
    },
  };
}

export function useApi(): ApiClient {
  const client = inject(apiKey, null);
  if (!client) throw new Error('GVT Desk API client was not provided to the app');
  return client;
}
