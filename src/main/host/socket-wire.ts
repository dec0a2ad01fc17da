/**
 * The CLI socket's wire format. Client → host: one JSON request per line. Host → client: one JSON
 * response or event per line, and frame messages (see encodeFrame) as binary: a line
 * `{"frame":N}` followed by exactly N raw bytes. JSON never holds a raw newline, so a reader
 * always knows whether it is in a line or in a frame's bytes.
 */
import { FRAME_HEADER_BYTES } from '../../shared/api';

/** The largest frame message a reader accepts: header + 4096x4096 RGBA (raw; RLE32 at worst one word more). */
export const MAX_FRAME_BYTES = FRAME_HEADER_BYTES + 4096 * 4096 * 4 + 4;

/** The line announcing a frame message of `bytes` bytes (newline included). */
export const frameAnnouncement = (bytes: number): string => `{"frame":${bytes}}\n`;

/** What a WireReader yields: a text line (no newline) or a frame message's bytes. */
export type WireItem = { line: string } | { frame: Uint8Array };

/**
 * Splits the host's byte stream into lines and frames. Throws RangeError (the stream is then
 * unusable) on a line longer than maxLineBytes or an announced frame larger than MAX_FRAME_BYTES.
 */
export class WireReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes of frame still expected after an announcement, or -1 while reading lines. */
  private frameBytes = -1;

  constructor(private readonly maxLineBytes: number) {}

  /** Feed bytes as they arrive; returns every item they complete, in order. */
  push(chunk: Buffer): WireItem[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const items: WireItem[] = [];
    for (;;) {
      if (this.frameBytes >= 0) {
        if (this.buffered < this.frameBytes) break;
        items.push({ frame: new Uint8Array(this.take(this.frameBytes)) });
        this.frameBytes = -1;
        continue;
      }
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.chunks = [all];
      const newline = all.indexOf(0x0a);
      if (newline < 0) {
        if (this.buffered > this.maxLineBytes) throw new RangeError(`the host sent a line longer than ${this.maxLineBytes} bytes`);
        break;
      }
      const line = this.take(newline + 1).toString('utf8', 0, newline);
      const announced = /^\{"frame":(\d+)\}$/.exec(line);
      if (!announced) {
        items.push({ line });
        continue;
      }
      const bytes = Number(announced[1]);
      if (bytes > MAX_FRAME_BYTES) throw new RangeError(`the host announced a frame of ${bytes} bytes (at most ${MAX_FRAME_BYTES})`);
      this.frameBytes = bytes;
    }
    return items;
  }

  /** Remove and return the first n buffered bytes. */
  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return head;
  }
}
