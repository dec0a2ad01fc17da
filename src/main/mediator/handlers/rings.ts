/**
 * Ring and execlist registers in the MMIO table, per engine (RCS, BCS): the legacy ring registers
 * (a RING_TAIL write submits, a RING_CTL enable starts scheduling), the hardware status page
 * address (RING_HWS_PGA, checked against the vGPU's GM), the virtual execlist port
 * (GFX_MODE, ELSP, EXECLIST_STATUS, the context status buffer and its pointer), and the registers
 * guest commands may access (GPRs, RING_TIMESTAMP, MI_PREDICATE_*, CACHE_MODE_*, BCS_SWCTRL).
 * Source: GVT-g handlers.c (MMIO_RING_DFH / MMIO_RING_F, elsp_mmio_write, ring_mode_mmio_write, hws_pga_write,
 * ring_timestamp_mmio_read, mmio_read_from_hw), execlist.c (the virtual CSB).
 */
import {
  BCS_SWCTRL,
  CACHE_MODE_0_GEN7,
  CACHE_MODE_1,
  GEN8_CSB_ENTRIES,
  GFX_RUN_LIST_ENABLE,
  RING_CONTEXT_STATUS_BUF_LO,
  RING_CONTEXT_STATUS_PTR,
  RING_CTL,
  RING_CTL_VALID,
  RING_ELSP,
  RING_EXECLIST_STATUS_HI,
  RING_EXECLIST_STATUS_LO,
  RING_HEAD,
  RING_HWS_PGA,
  RING_MODE_GEN7,
  RING_START,
  RING_TAIL,
  applyMasked,
} from '../../../shared/regs';
import { PAGE_SIZE } from '../../../shared/platform';
import type { EngineId } from '../../gpu/engine';
import { ENGINE_BASE } from '../../gpu/gpu';
import type { Gvt } from '../gvt';
import { F_CMD_ACCESS, F_MODE_MASK, F_RO, type MmioInfo, type MmioTable, defaultMmioWrite } from '../mmio-info';
import type { Vgpu } from '../vgpu';

/** IGT's (and i915's legacy) prefix of each engine's ring register names. */
const RING_PREFIX: Record<EngineId, string> = { rcs: 'RENDER', bcs: 'BLT' };

/**
 * elsp_mmio_write: the four ELSP dwords (element 1 hi, lo, element 0 hi, lo) are collected; the
 * fourth submits both elements (intel_vgpu_submit_execlist) if the guest enabled execlists.
 */
function elspMmioWrite(gvt: Gvt, v: Vgpu, engine: EngineId, value: number, nowNs: number): void {
  const ve = v.execlists[engine];
  ve.elsp.push(value);
  if (ve.elsp.length < 4) return;
  const [hi1, lo1, hi0, lo0] = ve.elsp;
  ve.elsp = [];
  if ((ve.gfxMode & GFX_RUN_LIST_ENABLE) === 0) return void v.note(`${engine}: ELSP written with execlists disabled (GFX_MODE)`);
  gvt.submission.submitExeclist(v, engine, [[lo0, hi0], [lo1, hi1]], nowNs, false);
}

/** ring_mode_mmio_write: GFX_MODE is masked; enabling the run list starts scheduling the vGPU (intel_vgpu_start_schedule). */
function ringModeMmioWrite(gvt: Gvt, v: Vgpu, engine: EngineId, value: number, nowNs: number): void {
  const ve = v.execlists[engine];
  ve.gfxMode = applyMasked(ve.gfxMode, value);
  if (value & (GFX_RUN_LIST_ENABLE << 16) && value & GFX_RUN_LIST_ENABLE) gvt.submission.scheduler.start(v.id, nowNs);
}

/**
 * hws_pga_write: RING_HWS_PGA must name a page inside the vGPU's GM (intel_gvt_ggtt_validate_range
 * over I915_GTT_PAGE_SIZE), or be 0, which i915 writes while it resets an engine (upstream
 * "drm/i915/gvt: treat HWSP addr 0 as valid"). An accepted value is kept per engine (hws_pga[])
 * and in vreg; a refused one changes neither and is logged as gvt_vgpu_err does (upstream returns
 * -EINVAL for the access).
 */
function hwsPgaWrite(v: Vgpu, engine: EngineId, offset: number, value: number, info: MmioInfo): void {
  if (value !== 0 && !v.ownsGm(value, PAGE_SIZE)) {
    return void v.note(`write invalid HWSP address, reg:0x${offset.toString(16)} (${info.name}, ${engine}), value:0x${value.toString(16)}: not a page of the vGPU's graphics memory; ignored`);
  }
  v.hwsPga[engine] = value;
  defaultMmioWrite(v, offset, value, info);
}

/** One engine's ring and execlist registers (MMIO_RING_* in intel_gvt_setup_mmio_info). */
function registerEngine(t: MmioTable, engine: EngineId): void {
  const base = ENGINE_BASE[engine];
  const name = (reg: string): string => `${RING_PREFIX[engine]}_${reg}`;
  // Ours: GVT-g has no legacy ring submission for guests (it starts scheduling a vGPU when its guest
  // enables execlists); here a RING_TAIL write submits, and a guest on the legacy ring starts being
  // scheduled when it enables a ring.
  t.add({
    offset: base + RING_TAIL,
    name: name('RING_TAIL'),
    write: (gvt, v, offset, value, nowNs, info) => {
      defaultMmioWrite(v, offset, value, info);
      gvt.submission.submitRing(v, engine, nowNs);
    },
  });
  t.add({ offset: base + RING_HEAD, name: name('RING_HEAD') });
  t.add({ offset: base + RING_START, name: name('RING_START') });
  t.add({ offset: base + RING_HWS_PGA, name: name('HWS_PGA'), write: (_, v, offset, value, _n, info) => hwsPgaWrite(v, engine, offset, value, info) });
  t.add({
    offset: base + RING_CTL,
    name: name('RING_CTL'),
    write: (gvt, v, offset, value, nowNs, info) => {
      defaultMmioWrite(v, offset, value, info);
      if (value & RING_CTL_VALID) gvt.submission.scheduler.start(v.id, nowNs);
    },
  });
  t.add({
    offset: base + RING_MODE_GEN7,
    name: name('GFX_MODE'),
    flags: F_MODE_MASK,
    read: (_, v) => v.execlists[engine].gfxMode,
    write: (gvt, v, _o, value, nowNs) => ringModeMmioWrite(gvt, v, engine, value, nowNs),
  });
  // ELSP reads as 0; EXECLIST_STATUS reads idle (every submission completes at once).
  t.add({ offset: base + RING_ELSP, name: name('RING_ELSP'), read: () => 0, write: (gvt, v, _o, value, nowNs) => elspMmioWrite(gvt, v, engine, value, nowNs) });
  t.add({ offset: base + RING_EXECLIST_STATUS_LO, name: name('RING_EXECLIST_STATUS_LO'), flags: F_RO, read: () => 0 });
  t.add({ offset: base + RING_EXECLIST_STATUS_HI, name: name('RING_EXECLIST_STATUS_HI'), flags: F_RO, read: () => 0 });
  // The virtual CSB (execlist.c emulate_csb_update fills it); read-only for the guest.
  t.add({
    offset: base + RING_CONTEXT_STATUS_BUF_LO(0),
    name: name('RING_CONTEXT_STATUS_BUF'),
    size: GEN8_CSB_ENTRIES * 8,
    flags: F_RO,
    read: (_, v, offset) => v.execlists[engine].csb.readEntry(offset - base - RING_CONTEXT_STATUS_BUF_LO(0)),
  });
  // Both pointer fields are guest-writable through the mask (GVT-g registers it as a plain F_MODE_MASK register).
  t.add({
    offset: base + RING_CONTEXT_STATUS_PTR,
    name: name('RING_CONTEXT_STATUS_PTR'),
    flags: F_MODE_MASK,
    read: (_, v) => v.execlists[engine].csb.ptrRegister,
    write: (_, v, _o, value) => v.execlists[engine].csb.writePtrRegister(value),
  });
  // Command streamer general purpose registers (16 x 64 bit) and the timestamp.
  t.add({ offset: base + 0x600, name: name('CS_GPR'), size: 0x80, flags: F_CMD_ACCESS });
  t.add({ offset: base + 0x358, name: name('RING_TIMESTAMP'), size: 8, flags: F_RO | F_CMD_ACCESS });
}

/** Ring, execlist and command-accessible engine registers (part of intel_gvt_setup_mmio_info). */
export function registerRingMmio(t: MmioTable): void {
  for (const engine of ['rcs', 'bcs'] as const) registerEngine(t, engine);
  t.add({ offset: 0x2400, name: 'MI_PREDICATE_SRC0', size: 8, flags: F_CMD_ACCESS });
  t.add({ offset: 0x2408, name: 'MI_PREDICATE_SRC1', size: 8, flags: F_CMD_ACCESS });
  t.add({ offset: 0x2410, name: 'MI_PREDICATE_DATA', size: 8, flags: F_CMD_ACCESS });
  t.add({ offset: 0x2418, name: 'MI_PREDICATE_RESULT', flags: F_CMD_ACCESS });
  t.add({ offset: CACHE_MODE_0_GEN7, name: 'CACHE_MODE_0_GEN7', flags: F_MODE_MASK | F_CMD_ACCESS });
  t.add({ offset: CACHE_MODE_1, name: 'CACHE_MODE_1', flags: F_MODE_MASK | F_CMD_ACCESS });
  t.add({ offset: BCS_SWCTRL, name: 'BCS_SWCTRL', flags: F_MODE_MASK | F_CMD_ACCESS });
}
