/**
 * Framebuffer decoder: turns a vGPU's plane registers (format, tiling, stride, size, surface GM
 * address) into an RGBA frame for the compositor, with its cursor plane blended on top, for any VM,
 * foreground or not; and the same for the physical pipe. Source: GVT-g fb_decoder.c
 * (intel_vgpu_decode_primary_plane, intel_vgpu_decode_cursor_plane).
 */
import {
  CURSOR_64_BYTES,
  type CursorRegs,
  type DecodedCursor,
  type DecodedPlane,
  type PlaneRegs,
  compositeCursor,
  decodeCursorRegs,
  decodePlaneRegs,
  readPlaneXrgb,
  xrgbToRgba,
} from '../gpu/scanout';
import type { Gen9Gpu } from '../gpu/gpu';
import type { Ggtt } from '../gpu/ggtt';
import { cursorFrom, pipeOnIn, planeFrom } from './display-regs';
import type { Vgpu } from './vgpu';

export interface Frame {
  width: number;
  height: number;
  /** Pixels as stored, XRGB8888 (0x00RRGGBB), width*height, row-packed. */
  xrgb: Uint32Array;
}

/** An empty frame: pipe or plane off (no signal). */
export const NO_SIGNAL: Frame = { width: 0, height: 0, xrgb: new Uint32Array(0) };

/** A frame as RGBA bytes (width*height*4), for screenshots and snapshots. */
export const frameRgba = (f: Frame): Uint8Array => xrgbToRgba(f.xrgb, f.width, 0, 0, f.width, f.height);

export type DecodeResult = { frame: Frame } | { error: string };

/**
 * Decode plane registers `regs` of a pipe that is on (`pipeOn`) through `ggtt`. `out` is reused
 * when it holds exactly width*height pixels (the compositor double-buffers), else a new buffer is
 * allocated. `guard` may refuse the decoded geometry (a reason string).
 */
export function decodePlane(ggtt: Ggtt, regs: PlaneRegs, pipeOn: boolean, out?: Uint32Array, guard?: (p: DecodedPlane) => string | undefined): DecodeResult {
  if (!pipeOn) return { frame: NO_SIGNAL };
  const plane = decodePlaneRegs(regs);
  if (plane === null) return { frame: NO_SIGNAL };
  if ('error' in plane) return plane;
  const problem = guard?.(plane);
  if (problem) return { error: problem };
  const xrgb = out && out.length === plane.width * plane.height ? out : new Uint32Array(plane.width * plane.height);
  readPlaneXrgb(ggtt, plane, xrgb);
  return { frame: { width: plane.width, height: plane.height, xrgb } };
}

/**
 * Why a vGPU's plane may not be shown: a surface outside its own GM (it would show another VM's
 * memory), or undefined when it is fine. Source: GVT-g intel_vgpu_decode_primary_plane's
 * intel_vgpu_ggtt_gmadr_is_valid check.
 */
export function vgpuPlaneGuard(v: Vgpu): (p: DecodedPlane) => string | undefined {
  return (p) => (v.ownsGm(p.surf, p.pitch * p.height) ? undefined : `PLANE_SURF 0x${p.surf.toString(16)} (${p.pitch * p.height} B) is outside the vGPU's graphics memory`);
}

/**
 * Why a vGPU's cursor may not be shown: its 16 KiB image not wholly inside its own GM, or
 * undefined when it is fine. Source: GVT-g intel_vgpu_decode_cursor_plane's
 * vgpu_gmadr_is_valid(base) check, widened here from the base to the whole image.
 */
export function vgpuCursorGuard(v: Vgpu): (c: DecodedCursor) => string | undefined {
  return (c) => (v.ownsGm(c.base, CURSOR_64_BYTES) ? undefined : `CUR_BASE 0x${c.base.toString(16)} (${CURSOR_64_BYTES} B) is outside the vGPU's graphics memory`);
}

/**
 * Blend the cursor plane `regs` over `frame` in place (read through `ggtt`). Returns why the
 * cursor is not shown (a CUR_CTL mode we cannot show, or `guard`'s refusal), else undefined; the
 * primary plane's pixels stay either way. Nothing happens on an empty (no signal) frame.
 */
export function overlayCursor(ggtt: Ggtt, frame: Frame, regs: CursorRegs, guard?: (c: DecodedCursor) => string | undefined): string | undefined {
  if (frame.width === 0) return undefined;
  const cursor = decodeCursorRegs(regs);
  if (cursor === null) return undefined;
  if ('error' in cursor) return cursor.error;
  const problem = guard?.(cursor);
  if (problem) return problem;
  compositeCursor(ggtt, cursor, frame.xrgb, frame.width, frame.height);
  return undefined;
}

/**
 * Decode a vGPU's primary plane of `pipe` (0 = A) from its vreg, with its cursor on top; a surface
 * outside its own GM is refused, a cursor image outside it is left out.
 */
export function decodeVgpuFrame(gpu: Gen9Gpu, v: Vgpu, pipe = 0): DecodeResult {
  const r = decodePlane(gpu.ggtt, planeFrom(v.vreg, pipe), pipeOnIn(v.vreg, pipe), undefined, vgpuPlaneGuard(v));
  if ('frame' in r) overlayCursor(gpu.ggtt, r.frame, cursorFrom(v.vreg, pipe), vgpuCursorGuard(v));
  return r;
}

/** Decode what physical pipe `pipe` (0 = A) scans out: its primary plane with its cursor on top. */
export function decodePhysicalFrame(gpu: Gen9Gpu, pipe = 0): DecodeResult {
  const r = decodePlane(gpu.ggtt, gpu.plane(pipe), gpu.pipeEnabled(pipe));
  if ('frame' in r) overlayCursor(gpu.ggtt, r.frame, gpu.cursor(pipe));
  return r;
}
