/**
 * downscaleRect (area-downscale.ts) with the weighted sums done by a WebAssembly SIMD kernel
 * (src/renderer/wasm/area-box.wat), four channels per instruction: the same pixels, byte for byte.
 * Profiled in the frame-delivery scene (four 1920x1080 sources shown about 670 px wide), the JS
 * downscale was about 85 % of the paint worker's busy time, the single busiest thread of the page.
 *
 * Per rectangle: the frame pixels it covers are copied into the kernel's memory (rows of the
 * covering span; a memcpy per row), with the two axes' tables for its columns and rows; the kernel
 * sums, divides and rounds (in f64, as the JS does) and the shown rows are copied out. Where
 * WebAssembly or its SIMD is missing, or sums could pass 2^32 (a frame over 4096 x 4096), the JS
 * version runs instead.
 */
import { WASM_BASE64 } from '../wasm/area-box-wasm';
import { type Axis, downscaleRect } from './area-downscale';

/** The kernel's exports: its memory and box() (parameters in area-box.wat's order). */
interface Kernel {
  memory: WebAssembly.Memory;
  box: (...args: number[]) => void;
}

/** undefined: not loaded yet; null: this runtime cannot run it (no WebAssembly or no SIMD). */
let kernel: Kernel | null | undefined;

function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const bytes = Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0));
    // Small enough (well under the 4 KiB a page's main thread may compile synchronously).
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    kernel = { memory: exports.mem as WebAssembly.Memory, box: exports.box as Kernel['box'] };
  } catch {
    kernel = null;
  }
  return kernel;
}

/** True when the SIMD kernel runs here (else downscaleRectFast is downscaleRect). */
export function simdDownscaleAvailable(): boolean {
  return loadKernel() !== null;
}

const align16 = (n: number): number => (n + 15) & ~15;

/** Views on the kernel's memory, remade when it grows (growing detaches the old buffer). */
let views: { buffer: ArrayBuffer; u8: Uint8Array; i32: Int32Array } | null = null;

function memoryViews(k: Kernel, bytes: number): NonNullable<typeof views> {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
  const buffer = k.memory.buffer;
  if (views?.buffer !== buffer) views = { buffer, u8: new Uint8Array(buffer), i32: new Int32Array(buffer) };
  return views;
}

/**
 * The same contract as downscaleRect (area-downscale.ts): write the shown pixels [dx0, dx0 + dw) x
 * [dy0, dy0 + dh) of `src` (RGBA, `xAxis.from` x `yAxis.from`) into `out` (RGBA, `outStride` pixels
 * per row) from its top-left; throws RangeError on a rectangle outside the shown size.
 */
export function downscaleRectFast(src: Uint8ClampedArray, xAxis: Axis, yAxis: Axis, dx0: number, dy0: number, dw: number, dh: number, out: Uint8ClampedArray, outStride: number): void {
  const k = loadKernel();
  const inside = dx0 >= 0 && dy0 >= 0 && dx0 + dw <= xAxis.to && dy0 + dh <= yAxis.to;
  const total = xAxis.from * yAxis.from;
  if (!k || !inside || dw <= 0 || dh <= 0 || 255 * total > 0xffffffff) {
    downscaleRect(src, xAxis, yAxis, dx0, dy0, dw, dh, out, outStride);
    return;
  }
  // The frame pixels the rectangle covers: columns [sx0, sx1), rows [sy0, sy1).
  const sx0 = xAxis.first[dx0]!;
  const sx1 = xAxis.first[dx0 + dw - 1]! + xAxis.taps[dx0 + dw - 1]!;
  const sy0 = yAxis.first[dy0]!;
  const sy1 = yAxis.first[dy0 + dh - 1]! + yAxis.taps[dy0 + dh - 1]!;
  const pitch = (sx1 - sx0) * 4;
  // Memory layout, each part 16-byte aligned: frame pixels, x tables, y tables, shown pixels.
  const xFirst = align16(pitch * (sy1 - sy0));
  const xTaps = xFirst + align16(dw * 4);
  const xW = xTaps + align16(dw * 4);
  const yFirst = xW + align16(dw * xAxis.stride * 4);
  const yTaps = yFirst + align16(dh * 4);
  const yW = yTaps + align16(dh * 4);
  const pixels = yW + align16(dh * yAxis.stride * 4);
  const { u8, i32 } = memoryViews(k, pixels + dw * dh * 4);

  for (let y = sy0; y < sy1; y++) u8.set(src.subarray((y * xAxis.from + sx0) * 4, (y * xAxis.from + sx1) * 4), (y - sy0) * pitch);
  for (let c = 0; c < dw; c++) i32[(xFirst >> 2) + c] = (xAxis.first[dx0 + c]! - sx0) * 4;
  i32.set(xAxis.taps.subarray(dx0, dx0 + dw), xTaps >> 2);
  i32.set(xAxis.weights.subarray(dx0 * xAxis.stride, (dx0 + dw) * xAxis.stride), xW >> 2);
  for (let r = 0; r < dh; r++) i32[(yFirst >> 2) + r] = (yAxis.first[dy0 + r]! - sy0) * pitch;
  i32.set(yAxis.taps.subarray(dy0, dy0 + dh), yTaps >> 2);
  i32.set(yAxis.weights.subarray(dy0 * yAxis.stride, (dy0 + dh) * yAxis.stride), yW >> 2);

  k.box(0, pitch, xFirst, xTaps, xW, xAxis.stride * 4, yFirst, yTaps, yW, yAxis.stride * 4, dw, dh, pixels, total);
  for (let r = 0; r < dh; r++) out.set(u8.subarray(pixels + r * dw * 4, pixels + (r + 1) * dw * 4), r * outStride * 4);
}
