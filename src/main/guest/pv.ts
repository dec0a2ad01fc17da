/**
 * The guest i915's paravirtual side for a GVT-g vGPU: negotiate pv_caps, register a shared page of
 * guest RAM, then use it instead of trapping — PV submission (descriptors in the page, one g2v
 * notification instead of four ELSP writes), GGTT binds over the command transport buffer (one
 * notification per object instead of one trapped PTE write per page) and PVMMIO reads (interrupt
 * and ring-head registers read from the page). Every call is synchronous: a notification traps,
 * and GVT has answered by the time the write returns.
 * Source: Xiaolin Zhang's PV series, i915_vgpu.c (intel_vgpu_pv_detect_caps,
 * intel_vgpu_pv_setup_shared_page, pv_command_buffer_write, pv_send, intel_vgpu_pv_vma_action,
 * intel_vgpu_pv_ggtt_bind) and intel_pv_submission.c (pv_submit); PVMMIO after AcrnGT.
 */
import { PAGE_SIZE } from '../../shared/platform';
import {
  PVINFO,
  PVMMIO_REGS,
  PV_CMD_BIND_GGTT,
  PV_CTB_DESC,
  PV_CT_MSG_ACTION_SHIFT,
  PV_CT_MSG_WRITE_FENCE_TO_DESC,
  PV_ENGINE_INDEX,
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
} from '../../shared/pvinfo';
import { VGT_PVINFO_PAGE } from '../../shared/regs';
import type { GuestRam } from './guest-ram';
import type { TrapPort } from './trap-port';

/** The pv_caps this driver supports (i915's vgpu.pv_caps before negotiation). */
export const GUEST_PV_CAPS = PV_GGTT | PV_SUBMISSION | PV_MMIO;

/** GGTT entries per bind command: one page of u64 PTEs (our choice; upstream sends one vma at a time). */
const PTES_PER_BIND = PAGE_SIZE / 8;

/**
 * Guest-physical frames of the shared page and the PTE list page. Upstream takes them from
 * get_zeroed_page / kmalloc, i.e. kernel memory; our simulated kernel owns the pages below the
 * graphics object allocator (GuestRam starts objects at page 256), so we use two of those (our
 * choice). That also keeps every graphics object where it is without PV.
 */
export const PV_SHARED_PAGE_FRAME = 0xfe;
export const PV_PTE_LIST_FRAME = 0xff;

const DESC = PV_PAGE.ctbDesc / 4;
const descField = (name: keyof typeof PV_CTB_DESC): number => DESC + PV_CTB_DESC[name] / 4;
const PVMMIO_SLOT = new Map(PVMMIO_REGS.map((off, i) => [off, PV_PAGE.pvmmio / 4 + i]));

export class GuestPv {
  private nextFence = 0;

  private constructor(
    private readonly port: TrapPort,
    private readonly log: (line: string) => void,
    /** The negotiated pv_caps. */
    readonly caps: number,
    /** The shared page as 1024 dwords. */
    private readonly page: Uint32Array,
    /** A page of guest RAM for the PTE lists of GGTT binds, and its guest-physical address. */
    private readonly list: Uint32Array,
    private readonly listGpa: number,
  ) {}

  /**
   * intel_vgpu_pv_detect_caps + intel_vgpu_pv_setup_shared_page: with VGT_CAPS_PV set, write
   * back `wanted & GVT's pv_caps`; if any remain, zero the shared page (and the PTE list
   * page, both kernel memory), pass its GPA through shared_page_gpa, read it back, notify SHARED_PAGE_REGISTER and
   * check the version GVT wrote into it. Any failure writes pv_caps 0 and returns null: the
   * driver then traps everything, as it does when the vGPU has no VGT_CAPS_PV.
   */
  static detect(port: TrapPort, ram: GuestRam, log: (line: string) => void, wanted: number): GuestPv | null {
    const pvinfo = (off: number): number => VGT_PVINFO_PAGE + off;
    if (!wanted || !(port.read32(pvinfo(PVINFO.vgt_caps)) & VGT_CAPS_PV)) return null;
    const caps = (wanted & port.read32(pvinfo(PVINFO.pv_caps))) >>> 0;
    port.write32(pvinfo(PVINFO.pv_caps), caps);
    if (!caps) return null;
    const fail = (why: string): null => {
      port.write32(pvinfo(PVINFO.pv_caps), 0);
      log(`[drm] vgpu PV setup failed (${why}): PV disabled`);
      return null;
    };
    if (ram.pages <= PV_PTE_LIST_FRAME) return fail('out of memory for shared memory');
    const words = (frame: number): Uint32Array => ram.words.subarray((frame * PAGE_SIZE) / 4, ((frame + 1) * PAGE_SIZE) / 4).fill(0);
    const page = words(PV_SHARED_PAGE_FRAME);
    const list = words(PV_PTE_LIST_FRAME);
    const gpa = PV_SHARED_PAGE_FRAME * PAGE_SIZE;
    const lo = gpa % 2 ** 32;
    const hi = Math.floor(gpa / 2 ** 32);
    port.write64(pvinfo(PVINFO.shared_page_gpa), lo, hi);
    if (port.read32(pvinfo(PVINFO.shared_page_gpa)) !== lo || port.read32(pvinfo(PVINFO.shared_page_gpa + 4)) !== hi) return fail('write shared_page_gpa failed');
    port.write32(pvinfo(PVINFO.g2v_notify), VGT_G2V.SHARED_PAGE_REGISTER);
    const version = page[PV_PAGE.version / 4];
    if ((version & 0xffff) !== PV_MAJOR || version >>> 16 !== PV_MINOR) return fail(`vgpu PV version ${version & 0xffff}.${version >>> 16} incompatible`);
    page[descField('addr')] = PV_PAGE.ctbCmds;
    page[descField('size')] = PV_PAGE.ctbSize;
    log(`[drm] vgpu PV version major ${PV_MAJOR} and minor ${PV_MINOR}`);
    log(`[drm] VGPU pv caps: 0x${caps.toString(16)}`);
    return new GuestPv(port, log, caps, page, list, PV_PTE_LIST_FRAME * PAGE_SIZE);
  }

  /** intel_vgpu_pv_check_cap. */
  has(cap: number): boolean {
    return (this.caps & cap) !== 0;
  }

  /**
   * pv_submit: put `engine`'s ELSP element 0 (descriptor lo/hi; element 1 empty) and the context
   * image's GPA into its slot, set `submitted`, notify once, and check GVT acked by clearing it.
   * False (logged) when GVT refused; the slot is cleared so a later notification cannot replay it.
   */
  submit(engine: keyof typeof PV_ENGINE_INDEX, lo: number, hi: number, ctxGpa: number): boolean {
    const s = (PV_PAGE.elsp + PV_ENGINE_INDEX[engine] * PV_PAGE.elspStride) / 4;
    const p = this.page;
    p.fill(0, s, s + PV_SLOT.submitted / 4);
    p[s + PV_SLOT.desc0 / 4] = lo >>> 0;
    p[s + PV_SLOT.desc0 / 4 + 1] = hi >>> 0;
    p[s + PV_SLOT.ctxGpa / 4] = ctxGpa % 2 ** 32;
    p[s + PV_SLOT.ctxGpa / 4 + 1] = Math.floor(ctxGpa / 2 ** 32);
    p[s + PV_SLOT.submitted / 4] = 1;
    this.port.write32(VGT_PVINFO_PAGE + PVINFO.g2v_notify, VGT_G2V.PV_SUBMISSION);
    if (p[s + PV_SLOT.submitted / 4] === 0) return true;
    p[s + PV_SLOT.submitted / 4] = 0;
    this.log(`[drm] *ERROR* PV (${engine}0) workload submission failed`);
    return false;
  }

  /**
   * intel_vgpu_pv_ggtt_bind: map GM pages from `gm` on to guest `frames` (present PTEs) with
   * PV_CMD_BIND_GGTT commands of up to PTES_PER_BIND entries. False when GVT refused one (the
   * caller then writes the PTEs through the trapped GTT window).
   */
  bindGgtt(gm: number, frames: readonly number[]): boolean {
    for (let i = 0; i < frames.length; i += PTES_PER_BIND) {
      const n = Math.min(PTES_PER_BIND, frames.length - i);
      const pte = (frame: number): [number, number] => {
        const gpa = frame * PAGE_SIZE;
        return [(gpa % 2 ** 32) | 1, Math.floor(gpa / 2 ** 32)];
      };
      let dma: [number, number];
      if (n === 1) dma = pte(frames[i]);
      else {
        for (let k = 0; k < n; k++) [this.list[2 * k], this.list[2 * k + 1]] = pte(frames[i + k]);
        dma = [this.listGpa % 2 ** 32, Math.floor(this.listGpa / 2 ** 32)];
      }
      const start = gm + i * PAGE_SIZE;
      const vma = new Array<number>(PV_VMA.dwords).fill(0);
      vma[PV_VMA.size] = n;
      vma[PV_VMA.startLo] = start % 2 ** 32;
      vma[PV_VMA.startHi] = Math.floor(start / 2 ** 32);
      [vma[PV_VMA.dmaLo], vma[PV_VMA.dmaHi]] = dma;
      if (!this.send(PV_CMD_BIND_GGTT, vma)) return false;
    }
    return true;
  }

  /** A PVMMIO register's value from the shared page, or undefined when it is not mirrored (read it trapped). */
  mmio(offset: number): number | undefined {
    if (!this.has(PV_MMIO)) return undefined;
    const slot = PVMMIO_SLOT.get(offset);
    return slot === undefined ? undefined : this.page[slot];
  }

  /**
   * pv_send: pv_command_buffer_write (header with length and action, the fence, the data) into
   * the CTB ring, then VGT_G2V_PV_SEND_TRIGGER, then wait_for_desc_update: GVT wrote our fence
   * and a status into the descriptor. False (logged) on a full ring, a missing fence or a status.
   */
  private send(action: number, data: readonly number[]): boolean {
    const p = this.page;
    const ring = p[descField('addr')] / 4;
    const size = p[descField('size')] / 4;
    const head = p[descField('head')] / 4;
    let tail = p[descField('tail')] / 4;
    const len = 1 + data.length;
    const used = tail >= head ? tail - head : size - head + tail;
    if (used + len + 1 >= size) {
      this.log(`[drm] *ERROR* PV: send action 0x${action.toString(16)} failed; no space in the command buffer`);
      return false;
    }
    const fence = (this.nextFence = (this.nextFence + 1) >>> 0);
    for (const dw of [(len | PV_CT_MSG_WRITE_FENCE_TO_DESC | (action << PV_CT_MSG_ACTION_SHIFT)) >>> 0, fence, ...data]) {
      p[ring + tail] = dw >>> 0;
      tail = (tail + 1) % size;
    }
    p[descField('tail')] = tail * 4;
    this.port.write32(VGT_PVINFO_PAGE + PVINFO.g2v_notify, VGT_G2V.PV_SEND_TRIGGER);
    const status = p[descField('status')];
    if (p[descField('fence')] === fence && status === 0) return true;
    this.log(`[drm] *ERROR* PV: send action 0x${action.toString(16)} failed; fence ${fence} reported ${p[descField('fence')]}, status 0x${status.toString(16)}`);
    return false;
  }
}
