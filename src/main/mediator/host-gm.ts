/**
 * The host's (Dom0's) own use of its reserved graphics memory: its console framebuffer in host
 * aperture, and per engine one shadow ring buffer and one shadow context image, plus a shadow batch
 * buffer area, in host high GM,
 * all backed by Dom0 RAM that the host maps directly into the physical GGTT (the host is not
 * mediated); and one zeroed scratch page, where the shadow GGTT points a guest PTE it refuses.
 * Source: GVT-g shadow ring buffers (scheduler.c / cmd_parser.c copy guest commands to a host
 * buffer before they reach the engine); GVT-g gtt.c intel_gvt_init_gtt (gvt->gtt.scratch_mfn).
 */
import { PAGE_SIZE } from '../../shared/platform';
import type { EngineId } from '../gpu/engine';
import { encodePte } from '../gpu/ggtt';
import type { Gen9Gpu } from '../gpu/gpu';
import type { RamRegion } from '../gpu/memory';
import type { Allocation } from './resources';

/** Host framebuffer: room for up to 1920x1200 XRGB8888. */
export const HOST_FB_BYTES = 1920 * 1200 * 4;
/** Shadow ring per engine, bytes (a workload larger than this is rejected by the scanner). */
export const SHADOW_RING_BYTES = 256 << 10;
/** Shadow context image per engine: PPHWSP page + register state page. */
export const SHADOW_CONTEXT_BYTES = 2 * PAGE_SIZE;
/** Shadow batch buffer area: the scanned copies of a workload's batch buffers are laid out here. */
export const SHADOW_BATCH_BYTES = 1 << 20;
export const DOM0_RAM_BYTES = HOST_FB_BYTES + 2 * SHADOW_RING_BYTES + 2 * SHADOW_CONTEXT_BYTES + SHADOW_BATCH_BYTES + (1 << 20);

export interface HostGm {
  fbGm: number;
  fbRam: RamRegion;
  /** Byte offset of the framebuffer inside Dom0 RAM. */
  fbRamOffset: number;
  shadowRingGm: Record<EngineId, number>;
  /** GM of the host's shadow context image per engine (what the physical ELSP is given). */
  shadowContextGm: Record<EngineId, number>;
  /** GM of the shadow batch buffer area. */
  shadowBatchGm: number;
  /**
   * Host-physical address of the scratch page: one 4 KiB page of Dom0 RAM, mapped in no host GM,
   * that a refused guest PTE points at (GVT-g's scratch_mfn, shared by every vGPU). What an engine
   * writes through such a PTE lands here, never in anybody's memory.
   */
  scratchHpa: number;
}

/** Attach Dom0 RAM at host-physical 0 and map the host framebuffer and shadow rings. */
export function setupHostGm(gpu: Gen9Gpu, host: Allocation, dom0Ram: ArrayBufferLike): HostGm {
  const region = gpu.memory.attach(0, dom0Ram);
  let ramCursor = 0;
  const map = (gm: number, bytes: number): void => {
    for (let off = 0; off < bytes; off += PAGE_SIZE) {
      const [lo, hi] = encodePte(region.base + ramCursor);
      gpu.ggtt.setPte((gm + off) / PAGE_SIZE, lo, hi);
      ramCursor += PAGE_SIZE;
    }
  };
  const fbGm = host.lowGm.base;
  const fbRamOffset = ramCursor;
  map(fbGm, HOST_FB_BYTES);
  const rcs = host.highGm.base;
  const bcs = rcs + SHADOW_RING_BYTES;
  map(rcs, SHADOW_RING_BYTES);
  map(bcs, SHADOW_RING_BYTES);
  const rcsCtx = bcs + SHADOW_RING_BYTES;
  const bcsCtx = rcsCtx + SHADOW_CONTEXT_BYTES;
  map(rcsCtx, 2 * SHADOW_CONTEXT_BYTES);
  const batch = bcsCtx + SHADOW_CONTEXT_BYTES;
  map(batch, SHADOW_BATCH_BYTES);
  // The scratch page comes from DOM0_RAM_BYTES' spare megabyte, after everything mapped above.
  const scratchHpa = region.base + ramCursor;
  return { fbGm, fbRam: region, fbRamOffset, shadowRingGm: { rcs, bcs }, shadowContextGm: { rcs: rcsCtx, bcs: bcsCtx }, shadowBatchGm: batch, scratchHpa };
}
