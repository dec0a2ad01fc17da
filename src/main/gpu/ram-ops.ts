/**
 * Guest RAM that the blitter can copy and fill at native speed. A SharedArrayBuffer's
 * TypedArray#copyWithin / #set / #fill go through V8's relaxed-atomic loops (a word at a time, no
 * SIMD: a shared buffer may be written by other threads meanwhile), measured at about half the
 * speed of memmove and falling further behind once the surfaces no longer fit in cache (7 busy
 * vGPUs). The same memory allocated as a shared WebAssembly.Memory is still a SharedArrayBuffer to
 * every thread (guest, GPU, compositor), and a tiny module over it gives the blitter
 * `memory.copy` (memmove) and a SIMD 32-bit fill. Racing a guest's CPU writes is what real DMA
 * does too: the result of a blit the guest overwrites meanwhile is undefined either way.
 *
 * Allocation falls back to a plain SharedArrayBuffer (and the blitter to copyWithin / fill) when
 * WebAssembly cannot map the memory (over 4 GiB, or address space for wasm memories exhausted).
 * Source: WebAssembly bulk memory (memory.copy) and fixed-width SIMD (i32x4.splat, v128.store).
 */

/** Native copy and fill within one RAM buffer; offsets and lengths in bytes, all in range. */
export interface RamOps {
  /** memmove of `n` bytes from `src` to `dst` (overlap-safe). */
  copy(dst: number, src: number, n: number): void;
  /** Fill `n` bytes (a multiple of 4) at `dst` (4-byte aligned) with the little-endian dword `value`. */
  fill32(dst: number, value: number, n: number): void;
}

/** A WebAssembly.Memory (the node tsconfig has no DOM lib, where the WebAssembly types live). */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}

/** The part of the WebAssembly JS API used here. */
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A guest's RAM: the buffer every thread maps, and the wasm memory behind it when there is one. */
export interface GuestRamBuffer {
  buffer: SharedArrayBuffer;
  /** Post it to the GPU thread with the buffer so it can build RamOps there; null: a plain SharedArrayBuffer. */
  memory: WasmMemory | null;
}

const WASM_PAGE = 65536;
/** A 32-bit wasm memory addresses at most 4 GiB. */
const MAX_PAGES = 65536;

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const name = (s: string): number[] => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

/**
 * (module
 *   (import "m" "mem" (memory 0 65536 shared))
 *   (func (export "copy") (param $dst i32) (param $src i32) (param $n i32)
 *     (memory.copy (local.get $dst) (local.get $src) (local.get $n)))
 *   (func (export "fill32") (param $dst i32) (param $val i32) (param $n i32) (local $end i32) (local $v v128)
 *     (local.set $end (i32.add (local.get $dst) (local.get $n)))
 *     (local.set $v (i32x4.splat (local.get $val)))
 *     (block (loop   ;; 16 bytes at a time
 *       (br_if 1 (i32.gt_u (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
 *       (v128.store align=1 (local.get $dst) (local.get $v))
 *       (local.set $dst (i32.add (local.get $dst) (i32.const 16))) (br 0)))
 *     (block (loop   ;; the last 0-3 dwords
 *       (br_if 1 (i32.ge_u (local.get $dst) (local.get $end)))
 *       (i32.store (local.get $dst) (local.get $val))
 *       (local.set $dst (i32.add (local.get $dst) (i32.const 4))) (br 0)))))
 */
function moduleBytes(): Uint8Array {
  const [getDst, getVal, getEnd, getV] = [
    [0x20, 0],
    [0x20, 1],
    [0x20, 3],
    [0x20, 4],
  ];
  const copy = [0, ...getDst, 0x20, 1, 0x20, 2, 0xfc, 0x0a, 0, 0, 0x0b];
  // prettier-ignore
  const fill32 = [
    2, 1, 0x7f, 1, 0x7b, // locals: $end i32, $v v128
    ...getDst, 0x20, 2, 0x6a, 0x21, 3,
    ...getVal, 0xfd, 0x11, 0x21, 4,
    0x02, 0x40, 0x03, 0x40,
    ...getDst, 0x41, 16, 0x6a, ...getEnd, 0x4b, 0x0d, 1,
    ...getDst, ...getV, 0xfd, 0x0b, 0, 0,
    ...getDst, 0x41, 16, 0x6a, 0x21, 0, 0x0c, 0,
    0x0b, 0x0b,
    0x02, 0x40, 0x03, 0x40,
    ...getDst, ...getEnd, 0x4f, 0x0d, 1,
    ...getDst, ...getVal, 0x36, 2, 0,
    ...getDst, 0x41, 4, 0x6a, 0x21, 0, 0x0c, 0,
    0x0b, 0x0b,
    0x0b,
  ];
  // prettier-ignore
  return new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...name('m'), ...name('mem'), 2, 3, 0, ...leb(MAX_PAGES)]),
    ...section(3, [2, 0, 0]),
    ...section(7, [2, ...name('copy'), 0, 0, ...name('fill32'), 0, 1]),
    ...section(10, [2, ...leb(copy.length), ...copy, ...leb(fill32.length), ...fill32]),
  ]);
}

let compiled: object | null = null;

/**
 * `bytes` of guest RAM (zeroed), as a shared WebAssembly.Memory when possible (`bytes` a multiple
 * of 64 KiB, at most 4 GiB), else a plain SharedArrayBuffer.
 */
export function allocateGuestRam(bytes: number): GuestRamBuffer {
  if (bytes > 0 && bytes % WASM_PAGE === 0 && bytes / WASM_PAGE <= MAX_PAGES) {
    try {
      const pages = bytes / WASM_PAGE;
      const memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
      return { buffer: memory.buffer as SharedArrayBuffer, memory };
    } catch {
      // No address space for another wasm memory: the plain buffer works, only slower to blit.
    }
  }
  return { buffer: new SharedArrayBuffer(bytes), memory: null };
}

/** Native copy / fill over `memory` (the GPU side of allocateGuestRam). */
export function ramOps(memory: WasmMemory): RamOps {
  compiled ??= new wasm.Module(moduleBytes());
  const ex = new wasm.Instance(compiled, { m: { mem: memory } }).exports as RamOps;
  return { copy: ex.copy, fill32: ex.fill32 };
}
