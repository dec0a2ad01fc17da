/**
 * Turning a guest submission into an audited workload: read the guest's ring (through the GGTT,
 * i.e. its own memory), copy the commands between the scanned position and the new tail, and scan
 * the copy (and every batch buffer it calls, shadowing them). Both submission paths use it: the legacy RING_TAIL write and an execlist context.
 * The guest's memory is read once: what the engine later executes (layoutShadowBatches) is the
 * scanned copy, never the guest's ring or batch again, so rewriting them after the submission
 * (a TOCTOU attempt) changes nothing.
 * Source: GVT-g scheduler.c / execlist.c (prepare workload, shadow ring buffer), cmd_parser.c
 * (intel_gvt_scan_and_shadow_ringbuffer: shadow_workload_ring_buffer, then scan_workload).
 */
import { CTX_LRI_HEADER_0, CTX_RING_BUFFER_CONTROL, CTX_RING_BUFFER_START, CTX_RING_HEAD, CTX_RING_TAIL, LRC_STATE_PN } from '../../shared/execlist';
import { MI_BATCH_PPGTT, MI_LOAD_REGISTER_IMM_N } from '../../shared/commands';
import { PAGE_SIZE } from '../../shared/platform';
import { RING_ADDR_MASK, RING_CTL, RING_CTL_VALID, RING_HEAD, RING_START, RING_TAIL, ringCtlBytes } from '../../shared/regs';
import type { EngineId } from '../gpu/engine';
import type { Ggtt } from '../gpu/ggtt';
import { type AddressSpace, readGm, writeGm } from '../gpu/gm-access';
import { type GmReader, type ScannedWorkload, scanWorkload } from './cmd-scan';
import { scanCopies } from './dword-slab';
import { SHADOW_RING_BYTES } from './host-gm';
import type { Vgpu } from './vgpu';

export interface RingState {
  start: number;
  ctl: number;
  head: number;
  tail: number;
}

export type BuildResult = { ok: true; scan: ScannedWorkload } | { ok: false; reason: string; rejected: boolean };

/**
 * Copy and scan ring bytes [from, ring.tail) of `v`'s ring on `engine`. `rejected` marks a command
 * the scanner refused (as opposed to a malformed ring). `ppgtt`: the context's shadow PPGTT (a
 * 48-bit PPGTT context), through which its PPGTT batch buffers are read and shadowed.
 */
export function buildWorkload(ggtt: Ggtt, v: Vgpu, engine: EngineId, ring: RingState, from: number, ppgtt: AddressSpace | null = null): BuildResult {
  if ((ring.ctl & RING_CTL_VALID) === 0) return { ok: false, reason: `${engine}: ring is not enabled (RING_CTL)`, rejected: false };
  const start = ring.start & 0xfffff000;
  const size = ringCtlBytes(ring.ctl);
  const tail = ring.tail & RING_ADDR_MASK;
  if (!v.ownsGm(start, size)) return { ok: false, reason: `${engine}: ring buffer GM 0x${start.toString(16)}+${size} outside the vGPU's graphics memory`, rejected: false };
  if (tail >= size) return { ok: false, reason: `${engine}: ring tail 0x${tail.toString(16)} beyond ring size ${size}`, rejected: false };
  const head = from % size;
  const bytes = (tail - head + size) % size;
  if (bytes > SHADOW_RING_BYTES) return { ok: false, reason: `${engine}: workload of ${bytes} B exceeds the ${SHADOW_RING_BYTES} B shadow ring`, rejected: false };
  // Copy first, then scan the copy: the guest can change its ring after this point, the engine never sees it.
  // Page by page, in at most two runs (the ring may wrap), as shadow_workload_ring_buffer's
  // copy_gma_to_hva does; into a slab view (see dword-slab.ts for why not a reused scan buffer).
  const dwords = scanCopies.alloc(bytes / 4);
  const out = new Uint8Array(dwords.buffer, dwords.byteOffset, bytes);
  const first = Math.min(bytes, size - head);
  readGm(ggtt, start + head, first, out, 0);
  if (first < bytes) readGm(ggtt, start, bytes - first, out, first);
  const scan = scanWorkload(v, engine, dwords, gmReader(ggtt), ppgtt ? gmReader(ppgtt) : null);
  if (!scan.ok) {
    const where = scan.segment === 0 ? `ring offset 0x${((head + scan.offset) % size).toString(16)}` : `batch buffer ${scan.segment} offset 0x${scan.offset.toString(16)}`;
    return { ok: false, reason: `${engine}: command at ${where} rejected: ${scan.reason}`, rejected: true };
  }
  return { ok: true, scan };
}

/**
 * The scanner's view of an address space for one scan: a dword per call, undefined where unmapped.
 * It keeps the last page's translation (the scanner reads a batch in address order), so a page is
 * translated once per visit, as ip_gma_set translates ip_va once per page. Make one per scan
 * (buildWorkload does) and drop it: a kept one would outlive a GGTT or PPGTT change.
 */
export function gmReader(space: AddressSpace): GmReader {
  let page = -1;
  let words: Uint32Array | null = null;
  /** Index in `words` of the page's first dword. */
  let first = 0;
  return (gm) => {
    const at = gm % PAGE_SIZE;
    if (gm - at !== page) {
      page = gm - at;
      // Resolved at `gm` itself, not the page start: a PPGTT miss records the faulting address.
      const r = space.resolve(gm);
      words = r ? r.region.words : null;
      first = r ? (r.offset - at) >>> 2 : 0;
    }
    return words === null ? undefined : words[first + (at >>> 2)];
  };
}

/** Bytes of a logical ring context image the mediator reads: the PPHWSP page and the state page. */
export const CONTEXT_IMAGE_BYTES = 2 * PAGE_SIZE;

/** Ring state stored in a context image at `lrca` (GM), read through the GGTT. */
export function contextRing(ggtt: Ggtt, lrca: number): RingState {
  const state = lrca + LRC_STATE_PN * PAGE_SIZE;
  const reg = (i: number): number => ggtt.read32(state + (i + 1) * 4);
  return { head: reg(CTX_RING_HEAD) & RING_ADDR_MASK, tail: reg(CTX_RING_TAIL), start: reg(CTX_RING_BUFFER_START), ctl: reg(CTX_RING_BUFFER_CONTROL) };
}

/** Write a context image's RING_HEAD (the guest sees its context consumed up to there). */
export function setContextHead(ggtt: Ggtt, lrca: number, head: number): void {
  ggtt.write32(lrca + LRC_STATE_PN * PAGE_SIZE + (CTX_RING_HEAD + 1) * 4, head);
}

/**
 * Fill the ring part of a context image's register state as an LRI list, the way i915 lays it out
 * (MI_LOAD_REGISTER_IMM header, then RING_HEAD/TAIL/START/CTL offset-value pairs).
 */
export function writeContextRing(ggtt: Ggtt, lrca: number, ring: RingState, engineBase = 0): void {
  const state = lrca + LRC_STATE_PN * PAGE_SIZE;
  const put = (i: number, v: number): void => void ggtt.write32(state + i * 4, v >>> 0);
  put(CTX_LRI_HEADER_0, MI_LOAD_REGISTER_IMM_N(4));
  put(CTX_RING_HEAD, engineBase + RING_HEAD);
  put(CTX_RING_HEAD + 1, ring.head);
  put(CTX_RING_TAIL, engineBase + RING_TAIL);
  put(CTX_RING_TAIL + 1, ring.tail);
  put(CTX_RING_BUFFER_START, engineBase + RING_START);
  put(CTX_RING_BUFFER_START + 1, ring.start);
  put(CTX_RING_BUFFER_CONTROL, engineBase + RING_CTL);
  put(CTX_RING_BUFFER_CONTROL + 1, ring.ctl);
}

/**
 * Copy a workload's shadowed batch buffers into the host's shadow batch area and point every
 * MI_BATCH_BUFFER_START at its copy; returns the (patched) ring dwords. The copies are in host
 * GGTT memory, so a PPGTT batch's start loses its Address Space Indicator (the guest's PPGTT batch
 * is never executed in place; GVT-g runs it in place, checked, through the shadow PPGTT). The
 * scanner bounded the total size to the area's size.
 */
export function layoutShadowBatches(ggtt: Ggtt, scan: ScannedWorkload, areaGm: number): Uint32Array {
  const at: number[] = [0];
  let cursor = areaGm;
  for (let s = 1; s < scan.segments.length; s++) {
    at[s] = cursor;
    cursor += Math.ceil(scan.segments[s].length / 2) * 8; // keep each batch qword aligned
  }
  for (const p of scan.patches) {
    const seg = scan.segments[p.segment];
    seg[p.at] = (seg[p.at] & ~MI_BATCH_PPGTT) >>> 0;
    seg[p.at + 1] = at[p.target] >>> 0;
    seg[p.at + 2] = 0;
  }
  for (let s = 1; s < scan.segments.length; s++) writeDwords(ggtt, at[s], scan.segments[s]);
  return scan.segments[0];
}

/** Copy `dwords` to GM address `gm` page by page (unmapped pages swallow the writes). */
export function writeDwords(ggtt: Ggtt, gm: number, dwords: Uint32Array): void {
  writeGm(ggtt, gm, new Uint8Array(dwords.buffer, dwords.byteOffset, dwords.byteLength), 0, dwords.byteLength);
}
