/**
 * The input path from the host to a guest: one SharedArrayBuffer per domain holding what QEMU's
 * emulated PS/2 keyboard, USB tablet and 16550 serial port would deliver. The host (one producer,
 * the main thread) writes; the guest's vCPU (one consumer) reads after each wake-up.
 *
 * Bounded by design, so a flood of input costs no memory and never blocks the producer:
 * - pointer motion is a single slot (newest position wins, like a tablet's HID report);
 * - keys, buttons and wheel go through a ring of EVENT_CAPACITY events; when it is full the new
 *   event is dropped and counted (a real i8042 buffer overruns the same way);
 * - serial bytes go through a SERIAL_CAPACITY-byte ring (a UART FIFO); excess bytes are dropped.
 * Positions are guest pixels, packed y << 16 | x (both 0..0xffff), on a display head: the pipe
 * (0 = A) whose picture the user pointed at. A head's pixels are that head's, not the desktop's: the
 * guest maps them into its desktop with its own monitor layout, as spice-vdagent does with
 * VDAgentMouseState.display_id (the client knows which display, only the guest knows where it is).
 */

/** Powers of two: indices wrap with a mask. */
export const EVENT_CAPACITY = 512;
export const SERIAL_CAPACITY = 4096;

/** Event kinds in the ring. */
export const INPUT_KEY = 1;
export const INPUT_BUTTON = 2;
export const INPUT_WHEEL = 3;

/** Tablet buttons as HID reports number them (bit index in the report's button byte). */
export const BUTTONS = { left: 0, right: 1, middle: 2 } as const;
export type ButtonName = keyof typeof BUTTONS;

const HEAD = 0;
const TAIL = 1;
const DROPPED = 2;
const POINTER_SEQ = 3;
const SERIAL_HEAD = 5;
const SERIAL_TAIL = 6;
const SERIAL_DROPPED = 7;
/** The pointer slot: one 64-bit word (pipe << 32 | packed xy) over Int32 slots 8 and 9 (8-byte aligned), so head and position are stored and read together. */
const POINTER_WORD = 8;
const RING = 10;
const EVENT_INTS = 4;
const SERIAL_OFFSET = (RING + EVENT_CAPACITY * EVENT_INTS) * 4;

export const INPUT_QUEUE_BYTES = SERIAL_OFFSET + SERIAL_CAPACITY;

/**
 * One ring event: a key (scancode, down), a button (index, down | pipe << 8, xy) or a wheel step
 * (delta, pipe << 8, xy); see headOfEvent.
 */
export interface InputEvent {
  kind: number;
  a: number;
  b: number;
  xy: number;
}

export const packXy = (x: number, y: number): number => ((y & 0xffff) << 16) | (x & 0xffff);
export const unpackXy = (xy: number): { x: number; y: number } => ({ x: xy & 0xffff, y: (xy >>> 16) & 0xffff });
/** A button or wheel event's `b`: pressed (buttons) and the pipe of the head it happened on. */
export const packHeadB = (pipe: number, down = false): number => ((pipe & 0xff) << 8) | (down ? 1 : 0);
/** The pipe (0 = A) and, for a button, whether it is pressed, from an event's `b`. */
export const unpackHeadB = (b: number): { pipe: number; down: boolean } => ({ pipe: (b >>> 8) & 0xff, down: (b & 0xff) !== 0 });

/** Counters for statistics and tests. */
export interface InputQueueStats {
  queued: number;
  dropped: number;
  serialDropped: number;
}

/** Both ends of the queue over `buffer` (INPUT_QUEUE_BYTES). Producer and consumer each own half the methods. */
export class InputQueue {
  private readonly i32: Int32Array;
  private readonly i64: BigInt64Array;
  private readonly bytes: Uint8Array;
  private lastPointerSeq = 0;

  constructor(buffer: SharedArrayBuffer) {
    if (buffer.byteLength < INPUT_QUEUE_BYTES) throw new RangeError(`input queue needs ${INPUT_QUEUE_BYTES} bytes, got ${buffer.byteLength}`);
    this.i32 = new Int32Array(buffer, 0, SERIAL_OFFSET / 4);
    this.i64 = new BigInt64Array(buffer, 0, RING / 2);
    this.bytes = new Uint8Array(buffer, SERIAL_OFFSET, SERIAL_CAPACITY);
  }

  // ---- producer (host) ----

  /** Move the tablet's pointer to (x, y) on head `pipe` (0 = A): overwrites any position the guest has not read yet. */
  pointer(x: number, y: number, pipe = 0): void {
    Atomics.store(this.i64, POINTER_WORD / 2, (BigInt(pipe & 0xff) << 32n) | BigInt(packXy(x, y) >>> 0));
    Atomics.add(this.i32, POINTER_SEQ, 1);
  }

  /** Queue one event; false (and counted) when the ring is full. */
  push(e: InputEvent): boolean {
    const head = Atomics.load(this.i32, HEAD);
    const tail = this.i32[TAIL];
    if (((tail - head) | 0) >= EVENT_CAPACITY) {
      Atomics.add(this.i32, DROPPED, 1);
      return false;
    }
    const at = RING + (tail & (EVENT_CAPACITY - 1)) * EVENT_INTS;
    this.i32[at] = e.kind;
    this.i32[at + 1] = e.a;
    this.i32[at + 2] = e.b;
    this.i32[at + 3] = e.xy;
    Atomics.store(this.i32, TAIL, (tail + 1) | 0);
    return true;
  }

  /** Queue serial bytes; returns how many fit (the rest are dropped and counted). */
  serialWrite(data: Uint8Array): number {
    const head = Atomics.load(this.i32, SERIAL_HEAD);
    let tail = this.i32[SERIAL_TAIL];
    const room = SERIAL_CAPACITY - ((tail - head) | 0);
    const n = Math.min(room, data.length);
    for (let i = 0; i < n; i++) this.bytes[(tail + i) & (SERIAL_CAPACITY - 1)] = data[i];
    tail = (tail + n) | 0;
    Atomics.store(this.i32, SERIAL_TAIL, tail);
    if (n < data.length) Atomics.add(this.i32, SERIAL_DROPPED, data.length - n);
    return n;
  }

  stats(): InputQueueStats {
    return { queued: (Atomics.load(this.i32, TAIL) - Atomics.load(this.i32, HEAD)) | 0, dropped: Atomics.load(this.i32, DROPPED), serialDropped: Atomics.load(this.i32, SERIAL_DROPPED) };
  }

  // ---- consumer (guest) ----

  /** The newest pointer position and its head's pipe if it moved since the last call, else null. */
  takePointer(): { x: number; y: number; pipe: number } | null {
    const seq = Atomics.load(this.i32, POINTER_SEQ);
    if (seq === this.lastPointerSeq) return null;
    this.lastPointerSeq = seq;
    const word = Atomics.load(this.i64, POINTER_WORD / 2);
    return { ...unpackXy(Number(word & 0xffffffffn)), pipe: Number((word >> 32n) & 0xffn) };
  }

  /** The next ring event, or null when empty. */
  take(): InputEvent | null {
    const head = this.i32[HEAD];
    if (head === Atomics.load(this.i32, TAIL)) return null;
    const at = RING + (head & (EVENT_CAPACITY - 1)) * EVENT_INTS;
    const e = { kind: this.i32[at], a: this.i32[at + 1], b: this.i32[at + 2], xy: this.i32[at + 3] };
    Atomics.store(this.i32, HEAD, (head + 1) | 0);
    return e;
  }

  /** Every serial byte received since the last call. */
  serialRead(): Uint8Array {
    const head = this.i32[SERIAL_HEAD];
    const tail = Atomics.load(this.i32, SERIAL_TAIL);
    const out = new Uint8Array((tail - head) | 0);
    for (let i = 0; i < out.length; i++) out[i] = this.bytes[(head + i) & (SERIAL_CAPACITY - 1)];
    Atomics.store(this.i32, SERIAL_HEAD, tail);
    return out;
  }
}
