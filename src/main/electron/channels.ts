/**
 * IPC channel names shared by the main process and the preload. Kept free of imports so the
 * sandboxed preload bundle stays small.
 */
export const CHANNELS = {
  /** renderer → main (invoke): `{ id, method, params }` → `{ id, result } | { id, error }`. */
  invoke: 'gvt:invoke',
  /** main → renderer: `{ event, data }` host push events. */
  event: 'gvt:event',
  /** main → renderer: one encoded frame message (Uint8Array). */
  frame: 'gvt:frame',
  /** renderer → main (send): the preload has delivered one frame message (flow control). */
  frameAck: 'gvt:frame-ack',
} as const;
