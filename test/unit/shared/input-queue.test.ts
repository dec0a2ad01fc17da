import { describe, expect, it } from 'vitest';
import { EVENT_CAPACITY, INPUT_BUTTON, INPUT_KEY, INPUT_QUEUE_BYTES, InputQueue, SERIAL_CAPACITY, packHeadB, packXy, unpackHeadB, unpackXy } from '../../../src/shared/input-queue';

const queue = () => new InputQueue(new SharedArrayBuffer(INPUT_QUEUE_BYTES));

describe('input queue (host -> guest, bounded)', () => {
  it('pointer motion is one slot: the newest position wins, read once', () => {
    const q = queue();
    expect(q.takePointer()).toBeNull();
    for (let i = 0; i < 1000; i++) q.pointer(i, 2 * i);
    expect(q.takePointer()).toEqual({ x: 999, y: 1998, pipe: 0 });
    expect(q.takePointer()).toBeNull();
  });

  it('the pointer slot carries the head (pipe) with the position, stored and read as one word', () => {
    const q = queue();
    q.pointer(0xffff, 0xffff, 2);
    expect(q.takePointer()).toEqual({ x: 0xffff, y: 0xffff, pipe: 2 });
    q.pointer(3, 4, 1);
    q.pointer(5, 6);
    expect(q.takePointer()).toEqual({ x: 5, y: 6, pipe: 0 });
    // A button's b: pressed in bit 0, the pipe in bits 8..15.
    expect(unpackHeadB(packHeadB(2, true))).toEqual({ pipe: 2, down: true });
    expect(unpackHeadB(packHeadB(1))).toEqual({ pipe: 1, down: false });
    expect(unpackHeadB(1)).toEqual({ pipe: 0, down: true });
  });

  it('the pointer word overlaps no other slot: pointer moves on any head leave the serial ring and the event ring alone', () => {
    const q = queue();
    q.serialWrite(new TextEncoder().encode('ls\n'));
    q.push({ kind: INPUT_KEY, a: 0x1e, b: 1, xy: 0 });
    for (const pipe of [0, 1, 2]) q.pointer(0xffff, 0xffff, pipe);
    expect(new TextDecoder().decode(q.serialRead())).toBe('ls\n');
    expect(q.serialRead()).toHaveLength(0);
    expect(q.take()).toEqual({ kind: INPUT_KEY, a: 0x1e, b: 1, xy: 0 });
    expect(q.take()).toBeNull();
    q.pointer(1, 2, 1);
    expect(q.stats()).toEqual({ queued: 0, dropped: 0, serialDropped: 0 });
    expect(q.takePointer()).toEqual({ x: 1, y: 2, pipe: 1 });
  });

  it('keys and buttons keep their order', () => {
    const q = queue();
    q.push({ kind: INPUT_KEY, a: 0x1e, b: 1, xy: 0 });
    q.push({ kind: INPUT_BUTTON, a: 0, b: 1, xy: packXy(10, 20) });
    expect(q.take()).toEqual({ kind: INPUT_KEY, a: 0x1e, b: 1, xy: 0 });
    expect(q.take()).toMatchObject({ kind: INPUT_BUTTON, xy: packXy(10, 20) });
    expect(q.take()).toBeNull();
    expect(unpackXy(packXy(65535, 1200))).toEqual({ x: 65535, y: 1200 });
  });

  it('a flood of 100,000 events is absorbed: the ring keeps EVENT_CAPACITY, the rest are counted as dropped', () => {
    const q = queue();
    let accepted = 0;
    for (let i = 0; i < 100_000; i++) if (q.push({ kind: INPUT_KEY, a: i & 0x7f, b: 1, xy: 0 })) accepted++;
    expect(accepted).toBe(EVENT_CAPACITY);
    expect(q.stats()).toEqual({ queued: EVENT_CAPACITY, dropped: 100_000 - EVENT_CAPACITY, serialDropped: 0 });
    let n = 0;
    while (q.take()) n++;
    expect(n).toBe(EVENT_CAPACITY);
    // Space is back once the guest read it; indices keep wrapping correctly.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < EVENT_CAPACITY - 1; i++) expect(q.push({ kind: INPUT_KEY, a: i, b: 0, xy: 0 })).toBe(true);
      for (let i = 0; i < EVENT_CAPACITY - 1; i++) expect(q.take()?.a).toBe(i);
    }
  });

  it('serial bytes go through a FIFO of SERIAL_CAPACITY; the excess is dropped and counted', () => {
    const q = queue();
    expect(q.serialWrite(new TextEncoder().encode('uname -a\r'))).toBe(9);
    expect(new TextDecoder().decode(q.serialRead())).toBe('uname -a\r');
    expect(q.serialRead()).toHaveLength(0);
    expect(q.serialWrite(new Uint8Array(SERIAL_CAPACITY + 10).fill(0x61))).toBe(SERIAL_CAPACITY);
    expect(q.stats().serialDropped).toBe(10);
    expect(q.serialRead()).toHaveLength(SERIAL_CAPACITY);
  });

  it('refuses a buffer that is too small', () => {
    expect(() => new InputQueue(new SharedArrayBuffer(16))).toThrow(RangeError);
  });
});
