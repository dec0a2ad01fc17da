/**
 * Host side of frame batches (src/shared/frame-batch.ts): collects the frame messages one client is
 * sent during a tick (a compose of every changed window at one vblank arrives in one task) and sends
 * them as one binary message once the task is done.
 */
import { encodeBatch } from '../../shared/frame-batch';

export class FrameBatcher {
  private pending: Uint8Array[] = [];
  private scheduled = false;
  private closed = false;

  /** send: writes one batch message. */
  constructor(private readonly send: (batch: Uint8Array) => void) {}

  /** Queue one frame message for this tick's batch. */
  add(message: Uint8Array): void {
    if (this.closed) return;
    this.pending.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Drop what is queued; nothing more is sent. */
  close(): void {
    this.closed = true;
    this.pending = [];
  }

  private flush(): void {
    this.scheduled = false;
    const messages = this.pending;
    this.pending = [];
    if (!this.closed && messages.length > 0) this.send(encodeBatch(messages));
  }
}
