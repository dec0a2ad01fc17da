/**
 * A vGPU's paravirtual (PV) state on the GVT side: the pv_caps it offers and the guest negotiated,
 * and the 4 KiB shared page in guest RAM the guest registered. Every PV path (submission, CTB
 * commands, PVMMIO) goes through `enabled(cap)`, so nothing touches guest RAM through PV before a
 * valid page was registered. Guest input is untrusted: a refused request is counted and logged
 * (gvt_vgpu_err) and never throws. Source: Xiaolin Zhang's PV series, "drm/i915/gvt: GVTg expose
 * pv_caps PVINFO register" (intel_vgpu_enabled_pv_cap) and "drm/i915/gvt: GVTg handle guest
 * shared_page setup" (handle_g2v_notification VGT_G2V_SHARED_PAGE_REGISTER, intel_gvt_read/
 * write_shared_page).
 */
import { PAGE_SIZE } from '../../shared/platform';
import { PV_GGTT, PV_MAJOR, PV_MINOR, PV_MMIO, PV_PAGE, PV_SUBMISSION, VGT_CAPS_PV } from '../../shared/pvinfo';

/** What GVT offers a vGPU created with PV: GGTT binds over the CTB, PV submission, PVMMIO. */
export const GVT_PV_CAPS = PV_GGTT | PV_SUBMISSION | PV_MMIO;

export class VgpuPv {
  /** The pv_caps register: GVT's offer until the guest writes the subset it negotiated. */
  caps: number;
  /** The registered shared page as 1024 dwords of guest RAM, or null (none, or refused). */
  page: Uint32Array | null = null;
  /** Guest-physical address of the registered page (bytes). */
  gpa = 0;
  /** PV requests refused: a bad GPA, garbage descriptors or CTB state, a notify before registration. */
  refused = 0;
  /** Readers of the PVMMIO registers in slot order (set by the mediator when it creates the vGPU). */
  mirror: readonly (() => number)[] = [];

  /**
   * offered: the pv_caps GVT offers (0: vgt_caps has no VGT_CAPS_PV, the guest must trap);
   * ram: the VM's RAM as dwords (guest-physical 0 at index 0).
   */
  constructor(
    readonly offered: number,
    readonly ram: Uint32Array,
  ) {
    this.caps = offered;
  }

  /** The VGT_CAPS_PV bit of vgt_caps. Source: GVT populate_pvinfo_page. */
  get vgtCaps(): number {
    return this.offered ? VGT_CAPS_PV : 0;
  }

  /** intel_vgpu_enabled_pv_cap: a shared page is registered and `cap` is negotiated. */
  enabled(cap: number): boolean {
    return this.page !== null && (this.caps & cap) !== 0;
  }

  /** A guest write of pv_caps: it can only narrow GVT's offer (the negotiation in intel_vgpu_pv_detect_caps). */
  writeCaps(value: number): void {
    this.caps = (value & this.offered) >>> 0;
  }

  /**
   * VGT_G2V_SHARED_PAGE_REGISTER: validate `gpa` (bytes) as a whole, page-aligned page inside the
   * VM's RAM (intel_gvt_hypervisor_is_valid_gfn; alignment is our addition, __pa of
   * get_zeroed_page always is), then write the PV version into it. On refusal pv_caps becomes 0,
   * as upstream does, and any earlier page is dropped. Returns the reason for a refusal, or null.
   */
  register(gpa: number): string | null {
    if (!this.offered) return 'shared page registered but this vGPU offers no PV (VGT_CAPS_PV clear)';
    const bytes = this.ram.length * 4;
    if (!Number.isSafeInteger(gpa) || gpa % PAGE_SIZE !== 0 || gpa + PAGE_SIZE > bytes) {
      this.page = null;
      this.caps = 0;
      return `shared page GPA 0x${gpa.toString(16)} is not a page inside the VM's ${bytes >>> 20} MiB RAM; PV disabled`;
    }
    this.gpa = gpa;
    this.page = this.ram.subarray(gpa / 4, (gpa + PAGE_SIZE) / 4);
    this.page[PV_PAGE.version / 4] = (PV_MAJOR | (PV_MINOR << 16)) >>> 0;
    return null;
  }

  /** True when the dwords [gpa, gpa + bytes) lie inside the VM's RAM (a PTE list, say), dword-aligned. */
  ramHolds(gpa: number, bytes: number): boolean {
    return Number.isSafeInteger(gpa) && gpa >= 0 && gpa % 4 === 0 && bytes >= 0 && gpa + bytes <= this.ram.length * 4;
  }
}
