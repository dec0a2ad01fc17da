/**
 * A vGPU's audit log (`/sys/kernel/vgt/vm<domid>/log`): what the mediator refused, dropped or
 * reset for it — refused commands, dropped PTEs, failsafe, engine resets and hangs — each line
 * numbered and stamped with the emulated time it was written. Bounded: the newest AUDIT_LOG_LINES
 * lines of at most AUDIT_LINE_MAX characters; line numbers keep counting, so a reader that asks
 * `since` an earlier `next` gets only what is new and can tell how much it missed.
 * Pure: time comes in through the clock it is given.
 */

/** Lines kept per vGPU (the oldest go first). */
export const AUDIT_LOG_LINES = 200;
/** Longest line kept, characters (as Dom0's printk: LOG_LINE_MAX is 1024 - 32). */
export const AUDIT_LINE_MAX = 992;

export interface AuditLine {
  /** Line number, from 0 for the vGPU's first line. */
  seq: number;
  /** Emulated time it was written, ns. */
  atNs: number;
  text: string;
}

export class AuditLog {
  private readonly ring: AuditLine[] = [];
  private nextSeq = 0;

  /** Append one line (cut to AUDIT_LINE_MAX characters), dropping the oldest beyond AUDIT_LOG_LINES. */
  push(atNs: number, text: string): void {
    this.ring.push({ seq: this.nextSeq++, atNs, text: text.length > AUDIT_LINE_MAX ? text.slice(0, AUDIT_LINE_MAX) : text });
    if (this.ring.length > AUDIT_LOG_LINES) this.ring.splice(0, this.ring.length - AUDIT_LOG_LINES);
  }

  /** The number the next line will get (pass it back as `since`). */
  get next(): number {
    return this.nextSeq;
  }

  /** Number of the oldest line still kept (= next when the log is empty). */
  get first(): number {
    return this.ring[0]?.seq ?? this.nextSeq;
  }

  /** The kept lines numbered `since` or later, oldest first. */
  since(since = 0): AuditLine[] {
    const skip = Math.max(0, Math.min(this.ring.length, since - this.first));
    return this.ring.slice(skip);
  }

  /** The kept lines' text, oldest first. */
  texts(): string[] {
    return this.ring.map((l) => l.text);
  }
}
