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
  // Frames are acknowledged once the paint worker has taken (painted) the batch they went in: a
  // worker that falls behind holds the host's stream back (see frameDrain). Not at the page's next
  // animation frame: the page's main thread is the busiest one, its frames came at 10-30 Hz under
  // load, and the host's short window (frame-window.ts) then throttled the stream to that.
  const ws = new WsClient(apiUrlFor(win.location), { nextPaint: (fn) => whenShown(win.document, fn), whenTaken: (fn) => frameDrain.whenTaken(fn) });
  return {
    client: ws,
    onStatus(handler) {
      handler(ws.status);
      return ws.onStatus(handler);
    },
  };
}

/**
 * Run fn at the end of this task while the page is shown, else once it shows again: a hidden tab
 * acknowledges no frames, so the host's stream to it stops until it is back.
 */
export function whenShown(doc: Document, fn: () => void): void {
  if (doc.visibilityState !== 'hidden') {
    queueMicrotask(fn);
    return;
  }
  const onChange = (): void => {
    if (doc.visibilityState === 'hidden') return;
    doc.removeEventListener('visibilitychange', onChange);
    fn();
  };
  doc.addEventListener('visibilitychange', onChange);
}

export function useApi(): ApiClient {
  const client = inject(apiKey, null);
  if (!client) throw new Error('GVT Desk API client was not provided to the app');
  return client;
}
