import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codedFrameMessage, frameMessages } from '../../../src/main/host/frame-messages';
import type { FeedItem } from '../../../src/main/mediator/compositor-feed';
import { FRAME_RLE32, decodeFrame, encodeFrame } from '../../../src/shared/frame-message';
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
});
