/**
 * ram-ops.ts: guest RAM as a shared wasm memory, and its native copy / fill checked byte for byte
 * against copyWithin and Uint32Array#fill on the same contents (overlap in both directions, every
 * tail length, bytes around the span untouched).
 */
import { describe, expect, it } from 'vitest';
import { HostMemory } from '../../../src/main/gpu/memory';
import { allocateGuestRam, ramOps } from '../../../src/main/gpu/ram-ops';
import { MiB } from '../../../src/shared/platform';
import { rig } from '../helpers/system';

const KiB64 = 65536;

function pattern(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.imul(i, 0x9e3779b1) >>> 24;
}

describe('allocateGuestRam', () => {
  it('gives a zeroed SharedArrayBuffer backed by a shared wasm memory of the same size', () => {
    const r = allocateGuestRam(4 * KiB64);
    expect(r.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(r.buffer.byteLength).toBe(4 * KiB64);
    expect(r.memory).not.toBeNull();
    expect(r.memory!.buffer.byteLength).toBe(4 * KiB64);
    expect(new Uint8Array(r.buffer).every((b) => b === 0)).toBe(true);
    // The same memory: a write through one view is seen through the other.
    new Uint32Array(r.buffer)[5] = 0xcafef00d;
    expect(new Uint32Array(r.memory!.buffer)[5]).toBe(0xcafef00d);
  });

  it('falls back to a plain SharedArrayBuffer for sizes that are not whole 64 KiB wasm pages', () => {
    const odd = allocateGuestRam(KiB64 + 4096);
    expect(odd.memory).toBeNull();
    expect(odd.buffer.byteLength).toBe(KiB64 + 4096);
    expect(allocateGuestRam(0).memory).toBeNull();
  });
});

describe('ramOps', () => {
  const { buffer, memory } = allocateGuestRam(KiB64);
  const ops = ramOps(memory!);
  const bytes = new Uint8Array(buffer);
  const want = new Uint8Array(KiB64);

  it('copy is a memmove: overlapping spans forwards and backwards, any alignment, as copyWithin', () => {
    for (const [dst, src, n] of [
      [100, 0, 1000],
      [0, 100, 1000],
      [4097, 4093, 3],
      [5000, 5001, 4096],
      [7, 7, 64],
      [KiB64 - 10, 0, 10],
      [123, 456, 0],
    ]) {
      pattern(bytes);
      pattern(want);
      ops.copy(dst, src, n);
      want.copyWithin(dst, src, src + n);
      expect(Buffer.compare(bytes, want), `copy(${dst}, ${src}, ${n})`).toBe(0);
    }
  });

  it('fill32 writes the little-endian dword exactly over n bytes, every length up to 80 and a page', () => {
    const words = new Uint32Array(want.buffer);
    for (const at of [0, 4, 12, 4092]) {
      for (let n = 0; n <= 80; n += 4) {
        pattern(bytes);
        pattern(want);
        ops.fill32(at, 0xff112233, n);
        words.fill(0xff112233, at / 4, (at + n) / 4);
        expect(Buffer.compare(bytes, want), `fill32(${at}, n=${n})`).toBe(0);
      }
    }
    pattern(bytes);
    pattern(want);
    ops.fill32(8192, 0x80000001, 4096);
    words.fill(0x80000001, 2048, 3072);
    expect(Buffer.compare(bytes, want)).toBe(0);
  });
});

describe('HostMemory.attach with a wasm memory', () => {
  it('gives the region native ops only when the memory is the one behind the buffer (same size)', () => {
    const m = new HostMemory();
    const a = allocateGuestRam(2 * KiB64);
    const b = allocateGuestRam(KiB64);
    expect(m.attach(0, a.buffer, undefined, a.memory).ops).not.toBeNull();
    expect(m.attach(1 << 20, new SharedArrayBuffer(4096), undefined, b.memory).ops).toBeNull();
    expect(m.attach(2 << 20, b.buffer).ops).toBeNull();
  });
});

describe('Mediator.createVgpu with guest RAM from allocateGuestRam (as domains.ts creates it)', () => {
  it("maps the VM's RAM with the native blit ops when given its wasm memory, and without when not", () => {
    const r = rig();
    const req = (domid: number, ram: ReturnType<typeof allocateGuestRam>, withMemory: boolean) =>
      r.m.createVgpu({ domid, name: `vm${domid}`, lowGmBytes: 64 * MiB, highGmBytes: 64 * MiB, fences: 2, ram: ram.buffer, ramMemory: withMemory ? ram.memory : null, bootForeground: false });
    const a = req(1, allocateGuestRam(16 * MiB), true);
    const b = req(2, allocateGuestRam(16 * MiB), false);
    expect(r.gpu.memory.regionOf(a.ram.base)!.ops).not.toBeNull();
    expect(r.gpu.memory.regionOf(b.ram.base)!.ops).toBeNull();
  });
});
