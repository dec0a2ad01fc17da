/**
 * The guest i915's full 48-bit PPGTT: 4-level page tables (PML4 → PDP → PD → PT, 4 KiB pages) in
 * its own RAM, holding guest-physical addresses, told to GVT-g with the g2v notifications
 * VGT_G2V_PPGTT_L4_PAGE_TABLE_CREATE / DESTROY and the PML4's address in PVINFO pdp[0]; the
 * context image carries the PML4 in its PDP0 slot and the descriptor says 48-bit addressing.
 * Entries: present bit 0, RW bit 1, address bits 47:12 (gen8_pte_encode / gen8_pde_encode).
 * Sources: i915 gen8_ppgtt.c (gen8_ppgtt_alloc_4lvl, gen8_ppgtt_insert), i915_vgpu.c /
 * gen8_ppgtt_notify_vgt, intel_lrc.c (ASSIGN_CTX_PML4, INTEL_LEGACY_64B_CONTEXT).
 *
 * Where objects go: every graphics object is bound in the PPGTT at the same address as in the
 * GGTT (its GM address). i915 picks PPGTT addresses independently; mirroring keeps one address
 * per object for this driver's command builders, and the mediator's scanner range-checks PPGTT
 * addresses against the vGPU's GM as it does GGTT ones (our choice; see README).
 * Table pages come from the simulated kernel's pages below the object allocator (frames
 * TABLE_FIRST_FRAME..+TABLE_FRAMES), so freeing objects never frees a table. Every table write is
 * logged in the RAM's dirty log after it is made (the dirty bits the host's EPT would set), which is
 * how the mediator learns which table pages to compare again.
 */
import { CTX_LRI_HEADER_1, CTX_PDP3_UDW, RING_PDP_LDW, RING_PDP_UDW } from '../../shared/execlist';
import { MI_LOAD_REGISTER_IMM_N } from '../../shared/commands';
import { GEN8_PDE_PS_2M, PAGE_SIZE, PAGE_SIZE_2M } from '../../shared/platform';
import { PVINFO, VGT_G2V } from '../../shared/pvinfo';
import { VGT_PVINFO_PAGE } from '../../shared/regs';
import type { GuestRam } from './guest-ram';
import type { TrapPort } from './trap-port';

/** First guest frame of the page-table pages (kernel memory; 0xfe/0xff are the PV pages). */
export const TABLE_FIRST_FRAME = 0x80;
/** Page-table pages available: 124 tables, i.e. up to ~240 MiB of bound objects. */
export const TABLE_FRAMES = 0x7c;

const SHIFTS = [39, 30, 21, 12] as const;
const PRESENT_RW = 0x3;

export class GuestPpgtt {
  /** Guest-physical address of the PML4. */
  readonly pml4: number;
  private nextFrame = TABLE_FIRST_FRAME;

  private readonly words: Uint32Array;

  /** ram: the guest's RAM (the tables are written by the CPU, no trap; each write is logged). */
  constructor(private readonly ram: GuestRam) {
    this.words = ram.words;
    this.pml4 = this.newTable();
  }

  /**
   * Bind guest frames `frames` at PPGTT address `va` (page aligned), creating PDP/PD/PT pages as
   * needed: a run of 512 contiguous frames starting 2 MiB-aligned at a 2 MiB-aligned address is one
   * 2 MiB page (map2M, as i915 gen8_ppgtt_insert_huge uses one where the backing allows), the rest
   * 4 KiB pages. Throws RangeError when the table pages run out.
   */
  map(va: number, frames: readonly number[]): void {
    for (let i = 0; i < frames.length; i++) {
      const page = va + i * PAGE_SIZE;
      if (page % PAGE_SIZE_2M === 0 && (frames[i] * PAGE_SIZE) % PAGE_SIZE_2M === 0 && i + 511 < frames.length && frames[i + 511] === frames[i] + 511) {
        this.map2M(page, frames[i]);
        i += 511;
        continue;
      }
      let table = this.pml4;
      for (let level = 0; level < 3; level++) table = this.next(table, Math.floor(page / 2 ** SHIFTS[level]) % 512);
      this.set(table, Math.floor(page / PAGE_SIZE) % 512, frames[i] * PAGE_SIZE);
    }
  }

  /**
   * Bind the 2 MiB of guest frames from `firstFrame` at PPGTT address `va` as one 2 MiB page: a PDE
   * with GEN8_PDE_PS_2M, as i915 gen8_ppgtt_insert_huge does for a 2 MiB-aligned, physically
   * contiguous object. Throws RangeError when `va` or the frames are not 2 MiB aligned (a PDE holds
   * address bits 47:21 only) or the table pages run out.
   */
  map2M(va: number, firstFrame: number): void {
    if (va % PAGE_SIZE_2M !== 0 || (firstFrame * PAGE_SIZE) % PAGE_SIZE_2M !== 0) throw new RangeError(`PPGTT: a 2 MiB page needs 2 MiB-aligned addresses (va 0x${va.toString(16)}, frame 0x${firstFrame.toString(16)})`);
    this.setEntry(va, 2, firstFrame * PAGE_SIZE, true, PRESENT_RW | GEN8_PDE_PS_2M);
  }

  /**
   * Write entry `level` (0 PML4E … 3 PTE) on the walk of `va` to point at guest-physical `address`
   * (any value: a hostile kernel's raw write), creating the tables above it as needed. `logged`
   * false: the entry itself is written without a dirty-log bit (a kernel that bypasses the logging).
   * `flags`: the entry's low bits (present | RW by default; 0 writes a not-present entry, adding
   * bit 7 the PS bit of a PDE or PDPE).
   */
  setEntry(va: number, level: number, address: number, logged = true, flags = PRESENT_RW): void {
    let table = this.pml4;
    for (let l = 0; l < level; l++) table = this.next(table, Math.floor(va / 2 ** SHIFTS[l]) % 512);
    this.set(table, Math.floor(va / 2 ** SHIFTS[level]) % 512, address, logged, flags);
  }

  /** Tell GVT-g about the PPGTT: pdp[0] = the PML4, then the g2v notification (gen8_ppgtt_notify_vgt). */
  notify(port: TrapPort, create: boolean): void {
    port.write32(VGT_PVINFO_PAGE + PVINFO.pdp0_lo, this.pml4 % 2 ** 32);
    port.write32(VGT_PVINFO_PAGE + PVINFO.pdp0_lo + 4, Math.floor(this.pml4 / 2 ** 32));
    port.write32(VGT_PVINFO_PAGE + PVINFO.g2v_notify, create ? VGT_G2V.PPGTT_L4_PAGE_TABLE_CREATE : VGT_G2V.PPGTT_L4_PAGE_TABLE_DESTROY);
  }

  /**
   * Fill a context image's PDP registers (register state page as dwords): LRI header 1, PDP3..0
   * upper/lower (offset, value) pairs, the PML4 in PDP0 (ASSIGN_CTX_PML4). `engineBase`: the ring's MMIO base.
   */
  writeContextPdps(state: Uint32Array, engineBase: number): void {
    state[CTX_LRI_HEADER_1] = MI_LOAD_REGISTER_IMM_N(8);
    for (let n = 3; n >= 0; n--) {
      const at = CTX_PDP3_UDW + (3 - n) * 4;
      const value = n === 0 ? this.pml4 : 0;
      state[at] = engineBase + RING_PDP_UDW(n);
      state[at + 1] = Math.floor(value / 2 ** 32);
      state[at + 2] = engineBase + RING_PDP_LDW(n);
      state[at + 3] = value % 2 ** 32;
    }
  }

  /** The table entry `index` of `table` points at, creating that table when absent (or when the entry is a 2 MiB page: 4 KiB pages replace it). */
  private next(table: number, index: number): number {
    const w = table / 4 + index * 2;
    if (this.words[w] & 1 && (this.words[w] & GEN8_PDE_PS_2M) === 0) return (this.words[w + 1] & 0xffff) * 2 ** 32 + ((this.words[w] & 0xfffff000) >>> 0);
    const t = this.newTable();
    this.set(table, index, t);
    return t;
  }

  private set(table: number, index: number, address: number, logged = true, flags = PRESENT_RW): void {
    const w = table / 4 + index * 2;
    this.words[w + 1] = Math.floor(address / 2 ** 32) & 0xffff;
    this.words[w] = ((address % 2 ** 32) | flags) >>> 0;
    if (logged) this.ram.logWrite(table + index * 8, 8);
  }

  private newTable(): number {
    if (this.nextFrame >= TABLE_FIRST_FRAME + TABLE_FRAMES) throw new RangeError(`PPGTT: out of page-table pages (${TABLE_FRAMES})`);
    const gpa = this.nextFrame++ * PAGE_SIZE;
    this.words.fill(0, gpa / 4, (gpa + PAGE_SIZE) / 4);
    this.ram.logWrite(gpa, PAGE_SIZE);
    return gpa;
  }
}
