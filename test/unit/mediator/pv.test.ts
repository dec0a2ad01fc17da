/**
 * GVT-g's paravirtual (PV) interface on the mediator side, driven through a raw trap port the way a
 * (possibly hostile) guest would: caps in PVINFO, shared page registration, PV submission, the
 * command transport buffer with GGTT binds, PVMMIO. Test names give the upstream function or patch
 * (Xiaolin Zhang's i915/GVT-g PV series) each behaviour follows.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addVm, directPort, rig } from '../helpers/system';
import { GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { pteFrame } from '../../../src/main/gpu/ggtt';
import { GVT_PV_CAPS } from '../../../src/main/mediator/pv';
import { MI_NOOP, MI_USER_INTERRUPT, ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';
import { contextDescriptor } from '../../../src/shared/execlist';
import { MiB } from '../../../src/shared/platform';
import {
  PVINFO,
  PVMMIO_REGS,
  PV_CMD_BIND_GGTT,
  PV_CTB_DESC,
  PV_CT_MSG_ACTION_SHIFT,
  PV_EFAULT,
  PV_EINVAL,
  PV_ENGINE_INDEX,
  PV_ENODATA,
  PV_EPROTO,
  PV_GGTT,
  PV_MAJOR,
  PV_MINOR,
  PV_MMIO,
  PV_PAGE,
  PV_SLOT,
  PV_SUBMISSION,
  PV_VMA,
  VGT_CAPS_PV,
  VGT_G2V,
} from '../../../src/shared/pvinfo';
import {
  BLT_RING_BASE,
  GEN8_BCS_IRQ_SHIFT,
  GEN8_CSB_ENTRIES,
  GT_CONTEXT_SWITCH_INTERRUPT,
  GT_RENDER_USER_INTERRUPT,
  SDEIER,
  SDEIIR,
  SDEIMR,
  GEN8_DE_PIPE_IER_A,
  GEN8_DE_PIPE_IIR_A,
  GEN8_DE_PIPE_IMR_A,
  GEN8_GT_IIR0,
  GEN8_MASTER_IRQ,
  GEN8_MASTER_IRQ_CONTROL,
  GEN8_PIPE_VBLANK,
  GTT_OFFSET,
  PIPECONF_A,
  PIPECONF_ENABLE,
  VGT_PVINFO_PAGE,
} from '../../../src/shared/regs';

type Vm = Pick<ReturnType<typeof addVm>, 'v' | 'ram'>;
const pvinfo = (off: number): number => VGT_PVINFO_PAGE + off;
/** A guest page we register as the shared page in the raw tests (below the driver's objects). */
const PAGE_GPA = 0x40000;

/** Register `gpa` as `vm`'s shared page through PVINFO, as intel_vgpu_pv_setup_shared_page does. */
function register(r: ReturnType<typeof rig>, vm: Vm, gpa: number, hi = 0): void {
  const p = directPort(r, vm.v);
  p.write64(pvinfo(PVINFO.shared_page_gpa), gpa % 2 ** 32, hi);
  p.write32(pvinfo(PVINFO.g2v_notify), VGT_G2V.SHARED_PAGE_REGISTER);
}

/** The shared page at `gpa` of `vm` as dwords. */
const pageOf = (vm: Vm, gpa = PAGE_GPA): Uint32Array => new Uint32Array(vm.ram, gpa, 1024);

/** A VM whose (trapping) driver set up execlists and a context, then registered a shared page by hand. */
function bootContext() {
  const r = rig();
  const vm = addVm(r, 1);
  const port = directPort(r, vm.v);
  const driver = new GuestDriver(port, new GuestRam(vm.ram, vm.dirty), () => undefined, { pvCaps: 0 });
  driver.probe();
  driver.initBlitterRing();
  driver.enableInterrupts();
  register(r, vm, PAGE_GPA);
  const fb = driver.allocObject(64 * 64 * 4, 'aperture');
  const ctx = (driver as unknown as { context: { gm: number; words: Uint32Array } }).context;
  return { r, vm, port, driver, fb, ctx, page: pageOf(vm) };
}

/** Put `lo`/`hi` as element 0 of `engine`'s slot, mark it submitted and notify once (pv_submit). */
function pvSubmit(b: ReturnType<typeof bootContext>, lo: number, hi: number, engine: 'rcs' | 'bcs' = 'bcs', desc1: [number, number] = [0, 0]): void {
  const s = (PV_PAGE.elsp + PV_ENGINE_INDEX[engine] * PV_PAGE.elspStride) / 4;
  b.page.set([lo, hi, desc1[0], desc1[1]], s);
  b.page[s + PV_SLOT.submitted / 4] = 1;
  b.port.write32(pvinfo(PVINFO.g2v_notify), VGT_G2V.PV_SUBMISSION);
}
const submitted = (page: Uint32Array, engine: 'rcs' | 'bcs' = 'bcs'): number => page[(PV_PAGE.elsp + PV_ENGINE_INDEX[engine] * PV_PAGE.elspStride + PV_SLOT.submitted) / 4];

/** Write one CTB message (header, fence, data) at the descriptor's tail and send PV_SEND_TRIGGER. */
function ctbSend(r: ReturnType<typeof rig>, vm: Vm, page: Uint32Array, action: number, fence: number, data: number[], len = 1 + data.length): void {
  const d = (k: keyof typeof PV_CTB_DESC): number => (PV_PAGE.ctbDesc + PV_CTB_DESC[k]) / 4;
  if (page[d('size')] === 0) {
    page[d('addr')] = PV_PAGE.ctbCmds;
    page[d('size')] = PV_PAGE.ctbSize;
  }
  const ring = page[d('addr')] / 4;
  const size = page[d('size')] / 4;
  let tail = page[d('tail')] / 4;
  for (const dw of [len | (action << PV_CT_MSG_ACTION_SHIFT), fence, ...data]) {
    page[ring + tail] = dw >>> 0;
    tail = (tail + 1) % size;
  }
  page[d('tail')] = tail * 4;
  directPort(r, vm.v).write32(pvinfo(PVINFO.g2v_notify), VGT_G2V.PV_SEND_TRIGGER);
}
const ctbReply = (page: Uint32Array) => ({ fence: page[(PV_PAGE.ctbDesc + PV_CTB_DESC.fence) / 4], status: page[(PV_PAGE.ctbDesc + PV_CTB_DESC.status) / 4] });

/** pv_vma dwords for a bind of `pages` at GM `start` with dma_addrs `dma`. */
function vma(pages: number, start: number, dma: number): number[] {
  const d = new Array<number>(PV_VMA.dwords).fill(0);
  d[PV_VMA.size] = pages;
  d[PV_VMA.startLo] = start % 2 ** 32;
  d[PV_VMA.startHi] = Math.floor(start / 2 ** 32);
  d[PV_VMA.dmaLo] = dma % 2 ** 32;
  d[PV_VMA.dmaHi] = Math.floor(dma / 2 ** 32);
  return d;
}

describe('PV caps in PVINFO (drm/i915: introduced vgpu pv capability; GVTg expose pv_caps PVINFO register)', () => {
  it('populate_pvinfo_page: vgt_caps carries VGT_CAPS_PV (bit 5) and pv_caps offers PV_GGTT | PV_SUBMISSION | PV_MMIO', () => {
    const r = rig();
    const p = directPort(r, addVm(r, 1).v);
    expect(VGT_CAPS_PV).toBe(1 << 5);
    // With FULL_PPGTT | HWSP_EMULATION | HUGE_GTT (bits 2-4) as populate_pvinfo_page sets them.
    expect(p.read32(pvinfo(PVINFO.vgt_caps))).toBe(VGT_CAPS_PV | 0x1c);
    expect(p.read32(pvinfo(PVINFO.pv_caps))).toBe(PV_GGTT | PV_SUBMISSION | PV_MMIO);
    expect(GVT_PV_CAPS).toBe(PV_GGTT | PV_SUBMISSION | PV_MMIO);
  });

  it('a vGPU created without PV advertises neither VGT_CAPS_PV nor pv_caps, and refuses a shared page', () => {
    const r = rig();
    const ram = new SharedArrayBuffer(16 * MiB);
    const v = r.m.createVgpu({ domid: 1, name: 'vm1', lowGmBytes: 64 * MiB, highGmBytes: 64 * MiB, fences: 2, ram, bootForeground: false, pv: false });
    const p = directPort(r, v);
    expect(p.read32(pvinfo(PVINFO.vgt_caps)) & VGT_CAPS_PV).toBe(0);
    expect(p.read32(pvinfo(PVINFO.pv_caps))).toBe(0);
    p.write32(pvinfo(PVINFO.pv_caps), 0xffffffff);
    expect(p.read32(pvinfo(PVINFO.pv_caps))).toBe(0);
    register(r, { v, ram }, PAGE_GPA);
    expect(v.pv.page).toBeNull();
    expect(v.pv.refused).toBe(1);
    expect(v.failsafe).toBeNull();
  });

  it('intel_vgpu_pv_detect_caps: the guest writes back the subset it wants and can only narrow the offer', () => {
    const r = rig();
    const vm = addVm(r, 1);
    const p = directPort(r, vm.v);
    p.write32(pvinfo(PVINFO.pv_caps), PV_SUBMISSION | (1 << 30));
    expect(p.read32(pvinfo(PVINFO.pv_caps))).toBe(PV_SUBMISSION);
    register(r, vm, PAGE_GPA);
    expect(vm.v.pv.enabled(PV_SUBMISSION)).toBe(true);
    expect(vm.v.pv.enabled(PV_GGTT)).toBe(false);
    expect(vm.v.failsafe).toBeNull();
  });
});

describe('shared page registration (GVTg handle guest shared_page setup: handle_g2v_notification VGT_G2V_SHARED_PAGE_REGISTER)', () => {
  it('registers a page inside the VM\'s RAM, reads shared_page_gpa back, and writes PV_MAJOR / PV_MINOR into it', () => {
    const r = rig();
    const vm = addVm(r, 1);
    const p = directPort(r, vm.v);
    register(r, vm, PAGE_GPA);
    expect(p.read32(pvinfo(PVINFO.shared_page_gpa))).toBe(PAGE_GPA);
    expect(p.read32(pvinfo(PVINFO.shared_page_gpa + 4))).toBe(0);
    expect(pageOf(vm)[0]).toBe((PV_MAJOR | (PV_MINOR << 16)) >>> 0);
    expect(vm.v.pv.page).not.toBeNull();
    expect(vm.v.pv.refused).toBe(0);
    expect(vm.v.log.some((l) => /PV: shared page registered at GPA 0x40000/.test(l))).toBe(true);
  });

  it.each([
    ['just past the end of RAM', 64 * MiB, 0],
    ['straddling the end of RAM', 64 * MiB - 2048, 0],
    ['not page aligned', PAGE_GPA + 4, 0],
    ['above 4 GiB (hi dword)', PAGE_GPA, 1],
    ['beyond 2^53', 0, 0xffffffff],
  ])('refuses a shared page GPA %s: pv_caps 0, counted and logged, no failsafe, the other VM untouched', (_what, lo, hi) => {
    const r = rig();
    const vm = addVm(r, 1);
    const other = addVm(r, 2);
    new Uint32Array(other.ram).fill(0x5a5a5a5a);
    register(r, vm, lo, hi);
    expect(vm.v.pv.page).toBeNull();
    expect(vm.v.pv.refused).toBe(1);
    expect(directPort(r, vm.v).read32(pvinfo(PVINFO.pv_caps))).toBe(0);
    expect(vm.v.log.some((l) => /PV: shared page GPA .* is not a page inside the VM's 64 MiB RAM/.test(l))).toBe(true);
    expect(vm.v.failsafe).toBeNull();
    expect(new Uint32Array(other.ram).every((w) => w === 0x5a5a5a5a)).toBe(true);
    expect(other.v.pv.refused + other.v.log.length).toBe(0);
  });

  it('a refused re-registration drops the earlier page: later PV notifications are refused', () => {
    const r = rig();
    const vm = addVm(r, 1);
    register(r, vm, PAGE_GPA);
    register(r, vm, 128 * MiB);
    expect(vm.v.pv.page).toBeNull();
    directPort(r, vm.v).write32(pvinfo(PVINFO.g2v_notify), VGT_G2V.PV_SUBMISSION);
    expect(vm.v.pv.refused).toBe(2);
  });
});

describe('PV submission (GVTg support pv workload submssion: handle_pv_submission; intel_pv_submission.c pv_submit)', () => {
  it('runs the context named in the slot like an ELSP write, acks by clearing submitted, with no CSB entry and no context-switch interrupt', () => {
    const b = bootContext();
    const words = b.ctx.words;
    // The ring: a fill of the framebuffer, then the context image's RING_TAIL (state page, CTX_RING_TAIL + 1).
    const ring = (b.driver as unknown as { ring: { words: Uint32Array } }).ring.words;
    ring.set([XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 256), 0, (8 << 16) | 8, b.fb.gm, 0, 0xff00ff00, MI_USER_INTERRUPT, MI_NOOP]);
    words[1024 + 7] = 9 * 4;
    const trapsBefore = b.vm.v.stats.mmioTraps;
    const [lo, hi] = contextDescriptor(b.ctx.gm, 5);
    pvSubmit(b, lo, hi);
    expect(b.vm.v.stats.mmioTraps - trapsBefore).toBe(1);
    expect(b.fb.words[0]).toBe(0xff00ff00);
    expect(submitted(b.page)).toBe(0);
    expect(b.vm.v.stats.workloads).toBe(1);
    expect(words[1024 + 5]).toBe(9 * 4); // the context image's RING_HEAD reached the tail
    expect(b.vm.v.execlists.bcs.csb.writePtr).toBe(GEN8_CSB_ENTRIES - 1); // nothing pushed since reset
    expect(b.vm.v.gt0.iir & (GT_RENDER_USER_INTERRUPT << GEN8_BCS_IRQ_SHIFT)).not.toBe(0);
    expect(b.vm.v.gt0.iir & (GT_CONTEXT_SWITCH_INTERRUPT << GEN8_BCS_IRQ_SHIFT)).toBe(0);
    expect(b.vm.v.pv.refused).toBe(0);
    expect(b.vm.v.failsafe).toBeNull();
  });

  it.each([
    ['desc0 invalid (valid bit clear)', (lo: number) => lo & ~1, /desc0 is invalid/],
    ['a PPGTT (non-privileged) context', (lo: number) => lo & ~(1 << 8), /non-GGTT \(PPGTT\) context/],
  ])('refuses garbage descriptors — %s: not acked, nothing queued, counted, no failsafe', (_what, mangle, reason) => {
    const b = bootContext();
    const [lo, hi] = contextDescriptor(b.ctx.gm, 5);
    pvSubmit(b, mangle(lo), hi);
    expect(submitted(b.page)).toBe(1);
    expect(b.vm.v.stats.workloads).toBe(0);
    expect(b.vm.v.queue).toHaveLength(0);
    expect(b.vm.v.pv.refused).toBe(1);
    expect(b.vm.v.log.some((l) => reason.test(l))).toBe(true);
    expect(b.vm.v.failsafe).toBeNull();
  });

  it('a descriptor whose LRCA is outside the vGPU\'s GM puts it in failsafe, exactly as the ELSP path does (submit_context)', () => {
    const b = bootContext();
    const [lo, hi] = contextDescriptor(0 /* host GM */, 5);
    pvSubmit(b, lo, hi);
    expect(b.vm.v.failsafe).toMatch(/bcs: context descriptor LRCA 0x0 outside the vGPU's graphics memory/);
    expect(submitted(b.page)).toBe(1);
    expect(b.r.failsafes).toHaveLength(1);
    // Contained: later PV submissions are refused while in failsafe.
    const [glo, ghi] = contextDescriptor(b.ctx.gm, 5);
    pvSubmit(b, glo, ghi);
    expect(b.vm.v.log.some((l) => /PV submission while the vGPU is in failsafe/.test(l))).toBe(true);
    expect(b.vm.v.stats.workloads).toBe(0);
  });

  it('a context whose commands blit into another VM\'s GM is rejected by the scanner: failsafe, the other VM\'s memory untouched', () => {
    const b = bootContext();
    const other = addVm(b.r, 2);
    const victim = new Uint32Array(other.ram).fill(0x12345678);
    const ring = (b.driver as unknown as { ring: { words: Uint32Array } }).ring.words;
    ring.set([XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 256), 0, (8 << 16) | 8, other.v.alloc.lowGm.base, 0, 0xffffffff, MI_USER_INTERRUPT, MI_NOOP]);
    b.ctx.words[1024 + 7] = 9 * 4;
    const [lo, hi] = contextDescriptor(b.ctx.gm, 5);
    pvSubmit(b, lo, hi);
    expect(b.vm.v.failsafe).toMatch(/XY_COLOR_BLT: destination GM .* outside/);
    expect(b.vm.v.stats.rejectedCommands).toBe(1);
    expect(victim.every((w) => w === 0x12345678)).toBe(true);
  });

  it('refuses a notification before any shared page was registered, or with no slot marked submitted', () => {
    const r = rig();
    const vm = addVm(r, 1);
    const p = directPort(r, vm.v);
    p.write32(pvinfo(PVINFO.g2v_notify), VGT_G2V.PV_SUBMISSION);
    p.write32(pvinfo(PVINFO.g2v_notify), VGT_G2V.PV_SEND_TRIGGER);
    expect(vm.v.pv.refused).toBe(2);
    expect(vm.v.log.filter((l) => /before a shared page was registered/.test(l))).toHaveLength(2);
    register(r, vm, PAGE_GPA);
    p.write32(pvinfo(PVINFO.g2v_notify), VGT_G2V.PV_SUBMISSION);
    expect(vm.v.log.some((l) => /no engine marked submitted/.test(l))).toBe(true);
    expect(vm.v.pv.refused).toBe(3);
    expect(vm.v.stats.workloads).toBe(0);
    expect(vm.v.failsafe).toBeNull();
  });

  it('refuses PV submission while execlists are disabled (GFX_MODE), as the ELSP path ignores it', () => {
    const r = rig();
    const vm = addVm(r, 1);
    register(r, vm, PAGE_GPA);
    const page = pageOf(vm);
    const s = (PV_PAGE.elsp + PV_ENGINE_INDEX.bcs * PV_PAGE.elspStride) / 4;
    page.set(contextDescriptor(vm.v.alloc.lowGm.base, 1), s);
    page[s + PV_SLOT.submitted / 4] = 1;
    directPort(r, vm.v).write32(pvinfo(PVINFO.g2v_notify), VGT_G2V.PV_SUBMISSION);
    expect(vm.v.log.some((l) => /bcs: PV submission with execlists disabled/.test(l))).toBe(true);
    expect(submitted(page)).toBe(1);
    expect(vm.v.failsafe).toBeNull();
  });
});

describe('command transport buffer and GGTT binds (GVTg support vgpu pv CTB protocol: fetch_pv_command_buffer; GVTg support ggtt pv operations: intel_vgpu_pv_ggtt_bind)', () => {
  it('PV_CMD_BIND_GGTT maps a page list exactly as trapped PTE writes do, echoes the fence with status 0', () => {
    const r = rig();
    const a = addVm(r, 1);
    const b = addVm(r, 2);
    register(r, a, PAGE_GPA);
    const page = pageOf(a);
    const list = new Uint32Array(a.ram, 0x50000, 8);
    const frames = [0x300, 0x301, 0x7, 0x3ff];
    frames.forEach((f, i) => list.set([f * 4096 + 1, 0], i * 2));
    ctbSend(r, a, page, PV_CMD_BIND_GGTT, 77, vma(4, a.v.alloc.lowGm.base + 0x10000, 0x50000));
    expect(ctbReply(page)).toEqual({ fence: 77, status: 0 });
    // The same PTEs through the trapped GTT window of the second VM give the same translation (RAM base apart).
    const pb = directPort(r, b.v);
    frames.forEach((f, i) => pb.write64(GTT_OFFSET + ((b.v.alloc.lowGm.base + 0x10000) / 4096 + i) * 8, f * 4096 + 1, 0));
    const gfn = (vm: Vm, i: number): number => pteFrame(...r.gpu.ggtt.getPte((vm.v.alloc.lowGm.base + 0x10000) / 4096 + i)) - vm.v.ram.base / 4096;
    expect(frames.map((_, i) => gfn(a, i))).toEqual(frames);
    expect(frames.map((_, i) => gfn(b, i))).toEqual(frames);
    expect(directPort(r, a.v).read32(GTT_OFFSET + ((a.v.alloc.lowGm.base + 0x10000) / 4096 + 2) * 8)).toBe(0x7 * 4096 + 1);
    // One page: dma_addrs is the PTE itself.
    ctbSend(r, a, page, PV_CMD_BIND_GGTT, 78, vma(1, a.v.alloc.lowGm.base, 0x123 * 4096 + 1));
    expect(ctbReply(page)).toEqual({ fence: 78, status: 0 });
    expect(directPort(r, a.v).read32(GTT_OFFSET + (a.v.alloc.lowGm.base / 4096) * 8)).toBe(0x123 * 4096 + 1);
    expect(a.v.pv.refused).toBe(0);
  });

  it('refuses a bind outside the vGPU\'s GM or with a PTE list outside its RAM: PV_EINVAL, nothing written', () => {
    const r = rig();
    const a = addVm(r, 1);
    const b = addVm(r, 2);
    register(r, a, PAGE_GPA);
    const page = pageOf(a);
    const before = Array.from({ length: 4 }, (_, i) => r.gpu.ggtt.getPte(b.v.alloc.lowGm.base / 4096 + i).join());
    ctbSend(r, a, page, PV_CMD_BIND_GGTT, 1, vma(4, b.v.alloc.lowGm.base, 0x50000));
    expect(ctbReply(page)).toEqual({ fence: 1, status: PV_EINVAL });
    ctbSend(r, a, page, PV_CMD_BIND_GGTT, 2, vma(2, a.v.alloc.lowGm.base + a.v.alloc.lowGm.size - 4096, 0x50000));
    expect(ctbReply(page).status).toBe(PV_EINVAL);
    ctbSend(r, a, page, PV_CMD_BIND_GGTT, 3, vma(4, a.v.alloc.lowGm.base, 64 * MiB - 8));
    expect(ctbReply(page)).toEqual({ fence: 3, status: PV_EINVAL });
    ctbSend(r, a, page, PV_CMD_BIND_GGTT, 4, vma(0xffffffff, a.v.alloc.lowGm.base, 0x50000));
    expect(ctbReply(page).status).toBe(PV_EINVAL);
    expect(Array.from({ length: 4 }, (_, i) => r.gpu.ggtt.getPte(b.v.alloc.lowGm.base / 4096 + i).join())).toEqual(before);
    expect(r.gpu.ggtt.getPte(a.v.alloc.lowGm.base / 4096)).toEqual([0, 0]);
    expect(a.v.pv.refused).toBe(4);
    expect(a.v.failsafe).toBeNull();
  });

  it('refuses and counts entries pointing outside the VM\'s RAM, like the trapped window (PV_EFAULT, scratch page)', () => {
    const r = rig();
    const a = addVm(r, 1);
    register(r, a, PAGE_GPA);
    const page = pageOf(a);
    new Uint32Array(a.ram, 0x50000, 4).set([0x300 * 4096 + 1, 0, 0x10000 * 4096 + 1, 0]); // frame 0x10000: 256 MiB, past the 64 MiB RAM
    ctbSend(r, a, page, PV_CMD_BIND_GGTT, 9, vma(2, a.v.alloc.lowGm.base, 0x50000));
    expect(ctbReply(page)).toEqual({ fence: 9, status: PV_EFAULT });
    expect(a.v.stats.droppedPtes).toBe(1);
    // As a trapped write would (gtt.c emulate_ggtt_mmio_write): the refused entry maps the scratch page.
    expect(r.gpu.ggtt.pageHpa(a.v.alloc.lowGm.base / 4096 + 1)).toBe(r.m.hostGm.scratchHpa);
    expect(r.gpu.ggtt.getPte(a.v.alloc.lowGm.base / 4096)[0]).not.toBe(0);
  });

  it.each([
    ['an empty ring', (p: Uint32Array) => p, PV_ENODATA],
    ['a ring outside the page', (p: Uint32Array) => p.set([0xf00, 0x800], PV_PAGE.ctbDesc / 4), PV_EPROTO],
    ['a ring over the descriptor', (p: Uint32Array) => p.set([0, 0x800], PV_PAGE.ctbDesc / 4), PV_EPROTO],
    ['head beyond the ring', (p: Uint32Array) => p.set([PV_PAGE.ctbCmds, PV_PAGE.ctbSize, 0x10000, 4], PV_PAGE.ctbDesc / 4), PV_EPROTO],
    ['a misaligned tail', (p: Uint32Array) => p.set([PV_PAGE.ctbCmds, PV_PAGE.ctbSize, 0, 6], PV_PAGE.ctbDesc / 4), PV_EPROTO],
  ])('refuses a garbage CTB descriptor — %s: status set, counted, never throws', (_what, mangle, status) => {
    const r = rig();
    const a = addVm(r, 1);
    register(r, a, PAGE_GPA);
    const page = pageOf(a);
    page.set([PV_PAGE.ctbCmds, PV_PAGE.ctbSize, 0, 0], PV_PAGE.ctbDesc / 4);
    mangle(page);
    expect(() => directPort(r, a.v).write32(pvinfo(PVINFO.g2v_notify), VGT_G2V.PV_SEND_TRIGGER)).not.toThrow();
    expect(ctbReply(page).status).toBe(status);
    expect(a.v.pv.refused).toBe(1);
    expect(a.v.failsafe).toBeNull();
  });

  it('refuses a message longer than what was written, and an unknown command; the ring keeps working after', () => {
    const r = rig();
    const a = addVm(r, 1);
    register(r, a, PAGE_GPA);
    const page = pageOf(a);
    ctbSend(r, a, page, PV_CMD_BIND_GGTT, 5, [1, 2], 31);
    expect(ctbReply(page).status).toBe(PV_EPROTO);
    ctbSend(r, a, page, 0x7777, 6, [1]);
    expect(ctbReply(page)).toEqual({ fence: 6, status: PV_EINVAL });
    ctbSend(r, a, page, PV_CMD_BIND_GGTT, 7, vma(1, a.v.alloc.lowGm.base, 0x300 * 4096 + 1));
    expect(ctbReply(page)).toEqual({ fence: 7, status: 0 });
    expect(a.v.pv.refused).toBe(2);
  });
});

describe('PVMMIO (after AcrnGT PVMMIO_MASTER_IRQ)', () => {
  it('the shared page mirrors what trapped reads of master, IIRs and the BCS ring head return, after every change', () => {
    const r = rig();
    const vm = addVm(r, 1);
    const p = directPort(r, vm.v);
    register(r, vm, PAGE_GPA);
    const page = pageOf(vm);
    const mirrored = (): number[] => PVMMIO_REGS.map((_, i) => page[PV_PAGE.pvmmio / 4 + i]);
    const trapped = (): number[] => PVMMIO_REGS.map((off) => p.read32(off));
    expect(mirrored()).toEqual(trapped());
    p.write32(PIPECONF_A, PIPECONF_ENABLE);
    p.write32(GEN8_DE_PIPE_IMR_A, ~GEN8_PIPE_VBLANK >>> 0);
    p.write32(GEN8_DE_PIPE_IER_A, GEN8_PIPE_VBLANK);
    p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
    r.m.vblank();
    expect(page[PV_PAGE.pvmmio / 4 + PVMMIO_REGS.indexOf(GEN8_DE_PIPE_IIR_A)]).toBe(GEN8_PIPE_VBLANK);
    expect(mirrored()).toEqual(trapped());
    p.write32(GEN8_DE_PIPE_IIR_A, GEN8_PIPE_VBLANK);
    expect(page[PV_PAGE.pvmmio / 4 + PVMMIO_REGS.indexOf(GEN8_DE_PIPE_IIR_A)]).toBe(0);
    expect(mirrored()).toEqual(trapped());
    p.write32(BLT_RING_BASE + 0x34, 0x40);
    p.write32(SDEIMR, 0);
    p.write32(SDEIER, 0xffffffff);
    r.m.raisePchEvent(vm.v, 1 << 21);
    expect(page[PV_PAGE.pvmmio / 4 + PVMMIO_REGS.indexOf(SDEIIR)]).toBe(1 << 21);
    expect(mirrored()).toEqual(trapped());
    expect(page[PV_PAGE.pvmmio / 4 + PVMMIO_REGS.indexOf(GEN8_GT_IIR0)]).toBe(0);
  });

  it('nothing is mirrored into guest RAM unless PV_MMIO was negotiated', () => {
    const r = rig();
    const vm = addVm(r, 1);
    const p = directPort(r, vm.v);
    p.write32(pvinfo(PVINFO.pv_caps), PV_SUBMISSION);
    register(r, vm, PAGE_GPA);
    p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
    expect(pageOf(vm).subarray(PV_PAGE.pvmmio / 4, PV_PAGE.pvmmio / 4 + PVMMIO_REGS.length).every((w) => w === 0)).toBe(true);
  });
});

describe('PV properties', () => {
  it('random shared-page contents and PV notifications from one vGPU: no exception, the other vGPU and its RAM unchanged', () => {
    const notify = fc.constantFrom(VGT_G2V.SHARED_PAGE_REGISTER, VGT_G2V.PV_SEND_TRIGGER, VGT_G2V.PV_SUBMISSION, 0, 1, 11, 0xffffffff);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('poke' as const), at: fc.integer({ min: 0, max: 1023 }), value: fc.integer({ min: 0, max: 0xffffffff }) }),
      fc.record({ kind: fc.constant('notify' as const), value: notify }),
      fc.record({ kind: fc.constant('gpa' as const), lo: fc.oneof(fc.constant(PAGE_GPA), fc.integer({ min: 0, max: 0xffffffff })), hi: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })) }),
      fc.record({ kind: fc.constant('caps' as const), value: fc.integer({ min: 0, max: 0xffffffff }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const r = rig();
        const a = addVm(r, 1, { ramMiB: 4 });
        const b = addVm(r, 2, { ramMiB: 4 });
        new Uint32Array(b.ram).fill(0xa5a5a5a5);
        const p = directPort(r, a.v);
        p.write32(BLT_RING_BASE + 0x29c, (1 << 31) | (1 << 15)); // execlists on
        register(r, a, PAGE_GPA);
        const page = pageOf(a);
        const ptesB = Array.from({ length: 8 }, (_, i) => r.gpu.ggtt.getPte(b.v.alloc.lowGm.base / 4096 + i).join());
        for (const o of ops) {
          if (o.kind === 'poke') page[o.at] = o.value;
          else if (o.kind === 'notify') p.write32(pvinfo(PVINFO.g2v_notify), o.value);
          else if (o.kind === 'gpa') p.write64(pvinfo(PVINFO.shared_page_gpa), o.lo, o.hi);
          else p.write32(pvinfo(PVINFO.pv_caps), o.value);
        }
        expect(new Uint32Array(b.ram).every((w) => w === 0xa5a5a5a5)).toBe(true);
        expect(Array.from({ length: 8 }, (_, i) => r.gpu.ggtt.getPte(b.v.alloc.lowGm.base / 4096 + i).join())).toEqual(ptesB);
        expect(b.v.log).toEqual([]);
        expect(b.v.failsafe).toBeNull();
      }),
      { numRuns: 150 },
    );
    // About 3 s alone (4000 runs passed in 85 s); the whole suite on 2 loaded cores once took 30 s.
  }, 120_000);
});
