import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codedFrameMessage, frameMessages } from '../../../src/main/host/frame-messages';
import type { FeedItem } from '../../../src/main/mediator/compositor-feed';
import { FRAME_HEADER_BYTES, FRAME_RLE32, decodeFrame, encodeFrame } from '../../../src/shared/frame-message';
import { encodeRle32 } from '../../../src/shared/rle32';

const header = fc.record({
  source: fc.nat(),
  width: fc.integer({ min: 1, max: 4096 }),
  height: fc.integer({ min: 1, max: 4096 }),
  x: fc.nat({ max: 4095 }),
  y: fc.nat({ max: 4095 }),
  seq: fc.nat(),
  flip: fc.nat(),
  vblankMs: fc.double({ noNaN: true }),
});

describe('compositor frame messages (frame-messages.ts)', () => {
  it('codedFrameMessage gives byte for byte what encodeFrame gives for the same RGBA pixels', () => {
    fc.assert(
      fc.property(header, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.array(fc.constantFrom(0xff000000, 0xffffffff, 0xff302820), { minLength: 81, maxLength: 81 }), (f, w, h, colours) => {
        const rgba = new Uint8Array(Uint32Array.from(colours.slice(0, w * h)).buffer);
        const ours = codedFrameMessage({ ...f, w, h }, encodeRle32(new Uint32Array(rgba.buffer)));
        expect(Buffer.from(ours).equals(Buffer.from(encodeFrame({ ...f, w, h }, rgba, FRAME_RLE32)))).toBe(true);
      }),
    );
  });

  it('frameMessages numbers frames (not pieces) from the last sequence number and carries each piece', () => {
    const piece = (x: number, colour: number) => ({ rect: { x, y: 0, w: 2, h: 1 }, rle32: encodeRle32(Uint32Array.of(colour, colour)) });
    const shared = piece(0, 0xff0000ff);
    const items: FeedItem[] = [
      { source: 1, damage: { width: 8, height: 4, pieces: [shared, piece(4, 0xff00ff00)] }, flip: 3, vblankMs: 12.5 },
      { source: 0x10000, damage: { width: 8, height: 4, pieces: [shared] }, flip: 0, vblankMs: 12.5 },
    ];
    const out = frameMessages(items, 41);
    expect(out.seq).toBe(43);
    const decoded = out.messages.map((m) => decodeFrame(m));
    expect(decoded.map((m) => [m.source, m.seq, m.x, m.flip])).toEqual([
      [1, 42, 0, 3],
      [1, 42, 4, 3],
      [0x10000, 43, 0, 0],
    ]);
    expect([...new Uint32Array(decoded[2]!.rgba.slice().buffer)]).toEqual([0xff0000ff, 0xff0000ff]);
    // Each message owns its buffer (they are transferred one by one).
    expect(new Set(out.messages.map((m) => m.buffer)).size).toBe(3);
  });

  it('builds the first message of a piece around tokens laid after room for the header (no copy), copies it for a mirror, and each message still owns its buffer', () => {
    /** Tokens FRAME_HEADER_BYTES into a buffer of their own, as Picture.rle32(r, FRAME_HEADER_BYTES) gives. */
    const withRoom = (words: number[]): Uint32Array => {
      const t = new Uint32Array(FRAME_HEADER_BYTES / 4 + words.length).subarray(FRAME_HEADER_BYTES / 4);
      t.set(words);
      return t;
    };
    const shared = { rect: { x: 0, y: 0, w: 2, h: 1 }, rle32: withRoom([0x80000002, 0xff0000ff]) };
    const own = { rect: { x: 4, y: 1, w: 3, h: 1 }, rle32: withRoom([3, 0xff000001, 0xff000002, 0xff000003]) };
    const items: FeedItem[] = [
      { source: 1, damage: { width: 8, height: 4, pieces: [shared, own] }, flip: 3, vblankMs: 12.5 },
      { source: 0x10000, damage: { width: 8, height: 4, pieces: [shared] }, flip: 0, vblankMs: 12.5 },
    ];
    const sharedBuffer = shared.rle32.buffer;
    const out = frameMessages(items, 0);
    // In place: the VM's messages are the tokens' own buffers; the mirror's is a copy.
    expect(out.messages[0]!.buffer).toBe(sharedBuffer);
    expect(out.messages[1]!.buffer).toBe(own.rle32.buffer);
    expect(out.messages[2]!.buffer).not.toBe(sharedBuffer);
    expect(new Set(out.messages.map((m) => m.buffer)).size).toBe(3);
    const decoded = out.messages.map((m) => decodeFrame(m));
    expect(decoded.map((m) => [m.source, m.seq, m.x, m.y, m.w, m.h, m.flip])).toEqual([
      [1, 1, 0, 0, 2, 1, 3],
      [1, 1, 4, 1, 3, 1, 3],
      [0x10000, 2, 0, 0, 2, 1, 0],
    ]);
    for (const i of [0, 2]) expect([...new Uint32Array(decoded[i]!.rgba.slice().buffer)]).toEqual([0xff0000ff, 0xff0000ff]);
    expect([...new Uint32Array(decoded[1]!.rgba.slice().buffer)]).toEqual([0xff000001, 0xff000002, 0xff000003]);
    // Byte for byte what encodeFrame gives for the same pixels.
    expect(Buffer.from(out.messages[1]!).equals(Buffer.from(encodeFrame({ source: 1, width: 8, height: 4, x: 4, y: 1, w: 3, h: 1, seq: 1, flip: 3, vblankMs: 12.5 }, new Uint8Array(Uint32Array.of(0xff000001, 0xff000002, 0xff000003).buffer), FRAME_RLE32)))).toBe(true);
  });

  it('codedFrameMessage copies tokens without room for the header, or when not asked to build in place', () => {
    const t = new Uint32Array(FRAME_HEADER_BYTES / 4 + 2).subarray(FRAME_HEADER_BYTES / 4);
    t.set([0x80000001, 0xff0000ff]);
    const f = { source: 1, width: 1, height: 1, x: 0, y: 0, w: 1, h: 1, seq: 1 };
    expect(codedFrameMessage(f, t).buffer).not.toBe(t.buffer);
    const noRoom = Uint32Array.of(0x80000001, 0xff0000ff);
    expect(codedFrameMessage(f, noRoom, true).buffer).not.toBe(noRoom.buffer);
    expect(decodeFrame(codedFrameMessage(f, noRoom, true)).rgba[0]).toBe(0xff);
  });
});
