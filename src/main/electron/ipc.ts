/**
 * Electron IPC transport: `gvt:invoke` requests from our own window go through protocol.ts to the
 * host; host events and frames are pushed to the window with webContents.send.
 */
import type { BrowserWindow, IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { decodeFrame, type FrameMessage } from '../../shared/api';
import type { FrameStream, HostApi } from '../host/host-api';
import { EVENT_NAMES, FrameFlow, handleRequest, type ApiResponse, type HandleOptions } from '../host/protocol';
import { CHANNELS } from './channels';

/** Decides whether an IPC message comes from our window's top frame showing our renderer. */
export type SenderCheck = (event: IpcMainInvokeEvent | IpcMainEvent) => boolean;

/**
 * Build a SenderCheck: the sender must be the current main window's webContents, the sending frame
 * its top frame, and the frame's URL one of ours (`isOurUrl`). Anything else — another window, a
 * subframe, a page navigated elsewhere, a destroyed window — is refused.
 */
export function makeSenderCheck(getWindow: () => BrowserWindow | null, isOurUrl: (url: string) => boolean): SenderCheck {
  return (event) => {
    const win = getWindow();
    if (!win || win.isDestroyed()) return false;
    if (event.sender.id !== win.webContents.id) return false;
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    return isOurUrl(frame.url);
  };
}

export interface IpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;
  host: HostApi;
  isTrustedSender: SenderCheck;
  /** Called for every frame ack from a trusted sender (wired to the window's frame flow). */
  onFrameAck?: () => void;
  /** The window's frame stream (its FrameFlow), for frame.resync; undefined while there is no window. */
  frames?: () => FrameStream | undefined;
  log?: HandleOptions['log'];
}

/**
 * Register the `gvt:invoke` handler (and the frame-ack listener). A request from an untrusted
 * sender is answered with `{ id: null, error: { code: 'invalid', message: 'request refused: …' } }`
 * and never reaches the host. Returns a function that unregisters both.
 */
export function registerIpc(options: IpcOptions): () => void {
  const { ipcMain, host, isTrustedSender } = options;
  const log = options.log ?? ((message: string, err: unknown) => console.error(message, err));
  ipcMain.handle(CHANNELS.invoke, async (event: IpcMainInvokeEvent, request: unknown): Promise<ApiResponse> => {
    if (!isTrustedSender(event)) {
      log('gvt-desk: refused an IPC request from a foreign sender', event.senderFrame?.url ?? '(no frame)');
      return { id: null, error: { code: 'invalid', message: 'request refused: the sender is not the GVT Desk window' } };
    }
    return handleRequest(host, request, { log, context: { frames: options.frames?.() } });
  });
  const onAck = (event: IpcMainEvent): void => {
    if (isTrustedSender(event)) options.onFrameAck?.();
  };
  ipcMain.on(CHANNELS.frameAck, onAck);
  return () => {
    ipcMain.removeHandler(CHANNELS.invoke);
    ipcMain.removeListener(CHANNELS.frameAck, onAck);
  };
}

/** Frames the renderer may have received but not yet acknowledged before more are dropped. */
export const MAX_FRAMES_IN_FLIGHT = 8;

export interface WindowPush {
  /** Call on every frame ack from the window's preload. */
  ack(): void;
  /** The renderer (re)loaded: forget unacknowledged frames. */
  reset(): void;
  flow: FrameFlow;
  /** Unsubscribe from the host. */
  dispose(): void;
}

/**
 * Push host events (`gvt:event`, `{ event, data }`) and frames (`gvt:frame`, a decoded
 * FrameMessage) to a window's webContents. Frames are decoded here, in the main process, because
 * the sandboxed preload can load no npm module (src/shared/api.ts pulls in zod). They go through
 * FrameFlow with at most MAX_FRAMES_IN_FLIGHT unacknowledged, so a stalled renderer does not make
 * the main process queue frames without bound.
 */
export function pushHostToWindow(host: HostApi, contents: WebContents, log: HandleOptions['log'] = (m, e) => console.error(m, e)): WindowPush {
  let inFlight = 0;
  const alive = (): boolean => !contents.isDestroyed();
  const flow = new FrameFlow(
    host,
    {
      congested: () => inFlight >= MAX_FRAMES_IN_FLIGHT,
      isOpen: alive,
      send: (message) => {
        let frame: FrameMessage;
        try {
          frame = decodeFrame(message);
        } catch (err) {
          log('gvt-desk: dropping a malformed frame message from the host', err);
          return;
        }
        inFlight++;
        contents.send(CHANNELS.frame, frame);
      },
    },
    log,
    undefined,
    // The window's page says which sources it shows (frame.watch); the host composes only those.
    host.frameInterest(),
  );
  const unsubscribe = [
    ...EVENT_NAMES.map((event) =>
      host.on(event, (data) => {
        if (alive()) contents.send(CHANNELS.event, { event, data });
      }),
    ),
    host.onFrame((message) => flow.offer(message)),
  ];
  return {
    ack: () => {
      inFlight = Math.max(0, inFlight - 1);
      flow.kick();
    },
    reset: () => {
      inFlight = 0;
      // A reloaded page has not said what it shows yet.
      flow.watchAll();
      flow.kick();
    },
    flow,
    dispose: () => {
      for (const u of unsubscribe) u();
      flow.dispose();
    },
  };
}
