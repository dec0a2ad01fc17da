import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, WireReader, frameAnnouncement, type WireItem } from '../../../src/main/host/socket-wire';

/** What the host writes for these items: lines as JSON text, frames as announcement + bytes. */
function wire(items: WireItem[]): Buffer {
  return Buffer.concat(items.map((i) => ('line' in i ? Buffer.from(`${i.line}\n`) : Buffer.concat([Buffer.from(frameAnnouncement(i.frame.length)), i.frame]))));
}

const item = fc.oneof(
  // The host's JSON lines are responses and events, never an announcement's exact shape.
  fc
    .json()
    .filter((line) => !/^\{"frame":\d+\}$/.test(line))
    .map((line): WireItem => ({ line })),
  fc.uint8Array({ maxLength: 300 }).map((frame): WireItem => ({ frame })),
);

describe('socket wire (CLI socket: JSON lines and binary frames)', () => {
  it('reads back what was written, however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1 }), (items, cuts) => {
        const bytes = wire(items);
        const reader = new WireReader(1 << 20);
        const got: WireItem[] = [];
        for (let at = 0, k = 0; at < bytes.length; k++) {
          const n = cuts[k % cuts.length]!;
          got.push(...reader.push(bytes.subarray(at, at + n)));
          at += n;
        }
        expect(got.map((g) => ('line' in g ? g : { frame: [...g.frame] }))).toEqual(items.map((i) => ('line' in i ? i : { frame: [...i.frame] })));
      }),
    );
  });

  it('takes frame bytes that contain newlines and braces as bytes', () => {
    const frame = Buffer.from('{"frame":3}\n\n{"id":1}\n');
    const reader = new WireReader(1024);
    expect(reader.push(wire([{ frame }, { line: '{"id":2,"result":null}' }]))).toEqual([{ frame: new Uint8Array(frame) }, { line: '{"id":2,"result":null}' }]);
  });

  it('refuses an over-long line and an oversized frame announcement', () => {
    expect(() => new WireReader(16).push(Buffer.from('x'.repeat(17)))).toThrow('longer than 16 bytes');
    expect(() => new WireReader(1024).push(Buffer.from(frameAnnouncement(MAX_FRAME_BYTES + 1)))).toThrow('at most');
  });
});
