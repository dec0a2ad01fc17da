/**
 * A per-process GTT (full 48-bit PPGTT) as the engines walk it: four levels of 512 8-byte entries
 * (PML4 → PDP → PD → PT), 4 KiB pages. Every entry has the Gen8 layout: bit 0 present, bit 1 RW,
 * bits 47:12 the host-physical address of the next table or of the page. A graphics address splits
 * into PML4 index 47:39, PDP index 38:30, PD index 29:21, PT index 20:12 and the page offset.
 * Sources: i915 gen8_pte_encode, GEN8_PML4E_SHIFT 39, GEN8_PDPE_SHIFT 30, GEN8_PDE_SHIFT 21,
 * GEN8_PTE_SHIFT 12 (i915_gem_gtt.h / gen8_ppgtt.c); PRM "Per-Process Graphics Translation Table".
 *
 * Not present at any level is a page fault: the walk fails and the first fault is kept in
 * `fault`, so the engine stops the workload there (Gen9 has no recoverable page faults for
 * these engines; the mediator reports and resets).
 *
 * Page sizes: a PDE with the PS bit (GEN8_PDE_PS_2M, bit 7) maps a 2 MiB page, its address in
 * bits 47:21 (bit 12 is the large page's PAT bit, not an address bit), as i915 gen8_ppgtt_insert_huge
 * writes it. Gen9's page sizes are 4 KiB, 64 KiB and 2 MiB (i915 GEN9_DEFAULT_PAGE_SIZES): a PDPE
 * with the PS bit (GEN8_PDPE_PS_1G, a 1 GiB page) is not one, and faults. 64 KiB pages (the PDE's IPS
 * bit, only honoured when GAMW_ECO_DEV_RW_IA enables them) are not modelled: entries are walked as 4 KiB.
 */
import { GPU_LOG, markDirty } from '../../shared/dirty-log';
import { GEN8_PAGE_PRESENT, GEN8_PDE_PS_2M, PAGE_SIZE } from '../../shared/platform';
import type { RamRegion } from './memory';

/** Shift of each level's index in a graphics address, PML4 first. Source: i915 GEN8_PML4E_SHIFT etc. */
export const GEN8_PML4E_SHIFT = 39;
export const GEN8_PDPE_SHIFT = 30;
export const GEN8_PDE_SHIFT = 21;
export const GEN8_PTE_SHIFT = 12;
/** Entries per table (4 KiB / 8 B). */
export const GEN8_ENTRIES_PER_TABLE = 512;
/** PTE RW bit. Source: i915 _PAGE_RW (gen8_pte_encode). */
export const GEN8_PAGE_RW = 1 << 1;
/** PDPE page-size bit: the entry would map a 1 GiB page. Source: i915 GEN8_PDPE_PS_1G (BIT(7)). */
export const GEN8_PDPE_PS_1G = 1 << 7;

/** Bytes a 48-bit PPGTT spans. */
export const PPGTT_BYTES = 2 ** 48;

const LEVEL_NAMES = ['PML4E', 'PDPE', 'PDE', 'PTE'] as const;
/** Pages per TLB block: one page table's worth (2 MiB of graphics addresses). */
const TLB_BLOCK = GEN8_ENTRIES_PER_TABLE;
const SHIFTS = [GEN8_PML4E_SHIFT, GEN8_PDPE_SHIFT, GEN8_PDE_SHIFT, GEN8_PTE_SHIFT] as const;

/** The address a Gen8 entry (lo, hi) points at: bits 47:12. */
export const entryAddress = (lo: number, hi: number): number => (hi & 0xffff) * 2 ** 32 + ((lo & 0xfffff000) >>> 0);

/** The 2 MiB page a PDE with GEN8_PDE_PS_2M maps: bits 47:21 (GVT-g ADDR_2M_MASK). */
export const entryAddress2M = (lo: number, hi: number): number => (hi & 0xffff) * 2 ** 32 + ((lo & 0xffe00000) >>> 0);

/**
 * Write a present, writable Gen8 entry for host-physical address `hpa` at word `at` of `words` (as
 * gen8_pte_encode / gen8_pde_encode), or a zero (not present) entry when `hpa` < 0.
 */
export function writeEntry(words: Uint32Array, at: number, hpa: number): void {
  if (hpa < 0) {
    words[at] = 0;
    words[at + 1] = 0;
    return;
  }
  words[at] = (((hpa % 2 ** 32) & 0xfffff000) | GEN8_PAGE_PRESENT | GEN8_PAGE_RW) >>> 0;
  words[at + 1] = Math.floor(hpa / 2 ** 32) & 0xffff;
}

/** Index into the table of `level` (0 = PML4 … 3 = PT) for graphics address `va`. */
export const tableIndex = (va: number, level: number): number => Math.floor(va / 2 ** SHIFTS[level]) % GEN8_ENTRIES_PER_TABLE;

/** TLB_BLOCK pages' translations and the page table that maps them. */
interface TlbBlock {
  /** Host-physical address per page; NaN: not translated yet. */
  hpa: Float64Array;
  /** The block's page table: its region and word offset (null until walked, or for a 2 MiB page). */
  pt: RamRegion | null;
  ptAt: number;
  /** Host-physical base of the 2 MiB page the block's PDE maps (PS bit); -1: not walked, or a page table. */
  large: number;
}

/** Where the tables are read from: host-physical memory. */
export interface TableMemory {
  regionOf(hpa: number): RamRegion | undefined;
}

/**
 * One context's PPGTT, rooted at the host-physical PML4 `pml4`. Implements the same page lookup as
 * the GGTT (pageHpa / resolve / read32 / write32), so engines and the blitter use either. A
 * translation is cached (the TLB) until `invalidate` drops it: tables whose owner does not
 * announce its changes get a fresh walker per engine run (`forRun`); the mediator's shadow tables
 * keep theirs across submissions (PpgttTlbKeeper), invalidated entry by entry as it changes them.
 */
export class Ppgtt {
  /** Pages the address space spans (2^36). */
  readonly entries = PPGTT_BYTES / PAGE_SIZE;
  /** The first page fault met, e.g. "PPGTT page fault at 0x10000000000: PDE not present"; undefined while none. */
  fault: string | undefined;
  /** Translations by block of TLB_BLOCK pages. */
  private readonly tlb = new Map<number, TlbBlock>();
  private lastBlockIndex = NaN;
  private lastBlock: TlbBlock | null = null;

  constructor(
    private readonly memory: TableMemory,
    readonly pml4: number,
  ) {}

  /**
   * The walker an engine run (or a scan) uses for the tables rooted at `pml4`: the one kept by the
   * tables' owner when it announces every change (PpgttTlbKeeper), its TLB warm and its fault
   * cleared; otherwise a fresh one, whose TLB lives no longer than the run (the tables may change
   * between runs unannounced, as a native driver's do).
   */
  static forRun(memory: TableMemory, pml4: number): Ppgtt {
    const kept = keptWalkers.get(memory.regionOf(pml4)?.bytes.buffer as ArrayBufferLike)?.get(pml4);
    if (!kept) return new Ppgtt(memory, pml4);
    kept.fault = undefined;
    return kept;
  }

  /**
   * Forget the translations of graphics pages [firstPage, firstPage + pages): the entry mapping them
   * changed at some level. A whole TLB block (one page table) goes when the range covers it or its
   * page table may have moved (pages > 1, i.e. a PDE or above changed); a single PTE change clears one slot.
   */
  invalidate(firstPage: number, pages: number): void {
    this.lastBlock = null;
    this.lastBlockIndex = NaN;
    if (pages === 1) {
      const block = this.tlb.get(Math.floor(firstPage / TLB_BLOCK));
      if (block) block.hpa[firstPage % TLB_BLOCK] = NaN;
      return;
    }
    const first = Math.floor(firstPage / TLB_BLOCK);
    const end = Math.ceil((firstPage + pages) / TLB_BLOCK);
    if (end - first < this.tlb.size) for (let b = first; b < end; b++) this.tlb.delete(b);
    else for (const b of this.tlb.keys()) if (b >= first && b < end) this.tlb.delete(b);
  }

  /** Host-physical address of graphics page `index`, or -1 (not present at some level: a fault is recorded). */
  pageHpa(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.entries) return this.miss(index * PAGE_SIZE, 'address beyond 48 bits');
    // Translations are kept in blocks of TLB_BLOCK pages (one page table's worth); blits stay in
    // one block for many pages, so the last block answers without a Map lookup, and a block's
    // page table is found once (PML4 → PDP → PD), then each page costs one PTE read.
    const blockIndex = Math.floor(index / TLB_BLOCK);
    let block = this.lastBlock;
    if (blockIndex !== this.lastBlockIndex || block === null) {
      block = this.tlb.get(blockIndex) ?? null;
      if (block === null) this.tlb.set(blockIndex, (block = { hpa: new Float64Array(TLB_BLOCK).fill(NaN), pt: null, ptAt: 0, large: -1 }));
      this.lastBlock = block;
      this.lastBlockIndex = blockIndex;
    }
    const slot = index % TLB_BLOCK;
    const hit = block.hpa[slot]!;
    if (!Number.isNaN(hit)) return hit;
    if (block.pt === null && block.large < 0 && !this.findPageTable(block, index)) return -1;
    if (block.large >= 0) return (block.hpa[slot] = block.large + slot * PAGE_SIZE);
    const at = block.ptAt + slot * 2;
    const lo = block.pt!.words[at]!;
    if ((lo & GEN8_PAGE_PRESENT) === 0) return this.miss(index * PAGE_SIZE, 'PTE not present');
    return (block.hpa[slot] = entryAddress(lo, block.pt!.words[at + 1]!));
  }

  /**
   * pageHpa / PAGE_SIZE, or -1 (AddressSpace.pageFrame; a fault is recorded as by pageHpa). A TLB
   * hit is answered here, without calling pageHpa: pageHpa is not inlined, and the address it
   * returns for a page of VM RAM (8 GiB and up) would be boxed at every call.
   */
  pageFrame(index: number): number {
    if (Number.isInteger(index) && index >= 0 && index < this.entries) {
      const blockIndex = Math.floor(index / TLB_BLOCK);
      const block = blockIndex === this.lastBlockIndex ? this.lastBlock : (this.tlb.get(blockIndex) ?? null);
      if (block !== null) {
        const hit = block.hpa[index % TLB_BLOCK]!;
        if (!Number.isNaN(hit)) {
          this.lastBlock = block;
          this.lastBlockIndex = blockIndex;
          return hit / PAGE_SIZE;
        }
      }
    }
    const hpa = this.pageHpa(index);
    return hpa < 0 ? -1 : hpa / PAGE_SIZE;
  }

  /**
   * Walk PML4 → PDP → PD for page `index` and keep its page table in `block` (or, for a PDE with
   * the PS bit, the 2 MiB page it maps); false on a fault (recorded). The 36-bit page index is split in two 18-bit halves so each level's 9-bit index is
   * integer bit work (PML4 47:39 and PDP 38:30 from the high half, PD 29:21 and PT 20:12 from the low).
   */
  private findPageTable(block: TlbBlock, index: number): boolean {
    const high = Math.floor(index / 2 ** 18);
    const low = index % 2 ** 18;
    const indices = [high >>> 9, high & 511, low >>> 9];
    let table = this.pml4;
    for (let level = 0; level < 4; level++) {
      const r = this.memory.regionOf(table);
      const start = table - (r?.base ?? 0);
      if (!r || table % PAGE_SIZE !== 0 || start + PAGE_SIZE > r.bytes.length) {
        this.miss(index * PAGE_SIZE, `${level === 0 ? 'PML4' : LEVEL_NAMES[level - 1]} points at unbacked memory 0x${table.toString(16)}`);
        return false;
      }
      if (level === 3) {
        block.pt = r;
        block.ptAt = start >>> 2;
        return true;
      }
      const at = (start >>> 2) + indices[level]! * 2;
      const lo = r.words[at]!;
      if ((lo & GEN8_PAGE_PRESENT) === 0) {
        this.miss(index * PAGE_SIZE, `${LEVEL_NAMES[level]} not present`);
        return false;
      }
      if (level === 2 && (lo & GEN8_PDE_PS_2M) !== 0) {
        block.large = entryAddress2M(lo, r.words[at + 1]!);
        return true;
      }
      if (level === 1 && (lo & GEN8_PDPE_PS_1G) !== 0) {
        this.miss(index * PAGE_SIZE, 'PDPE has the PS bit (a 1 GiB page), not a Gen9 page size (i915 GEN9_DEFAULT_PAGE_SIZES: 4K, 64K, 2M)');
        return false;
      }
      table = entryAddress(lo, r.words[at + 1]!);
    }
    return false;
  }

  private miss(va: number, why: string): number {
    this.fault ??= `PPGTT page fault at 0x${va.toString(16)}: ${why}`;
    return -1;
  }

  regionOf(hpa: number): RamRegion | undefined {
    return this.memory.regionOf(hpa);
  }

  /** Resolve graphics address `va` to RAM (valid to the end of its 4 KiB page), or undefined (fault recorded). */
  resolve(va: number): { region: RamRegion; offset: number } | undefined {
    const hpa = this.pageHpa(Math.floor(va / PAGE_SIZE));
    if (hpa < 0) return undefined;
    const region = this.memory.regionOf(hpa);
    if (!region || hpa - region.base + PAGE_SIZE > region.bytes.length) {
      this.fault ??= `PPGTT page fault at 0x${va.toString(16)}: PTE points at unbacked memory 0x${hpa.toString(16)}`;
      return undefined;
    }
    return { region, offset: hpa - region.base + (va % PAGE_SIZE) };
  }

  read32(va: number): number {
    const r = this.resolve(va);
    return r ? r.region.words[r.offset >>> 2] : 0;
  }

  /** As Ggtt.write32: dropped (false) when unmapped, else written and logged in the RAM's dirty page log (GPU half). */
  write32(va: number, value: number): boolean {
    const r = this.resolve(va);
    if (!r) return false;
    r.region.words[r.offset >>> 2] = value;
    if (r.region.dirty) markDirty(r.region.dirty, GPU_LOG, r.offset, 4);
    return true;
  }
}

/** Kept walkers by the buffer holding their tables (one per shadow pool), then by root. */
const keptWalkers = new WeakMap<ArrayBufferLike, Map<number, Ppgtt>>();

/**
 * The side of a table owner that announces every change it makes (the mediator's shadow pool):
 * walkers for its roots are kept across engine runs, their TLBs warm, and invalidated precisely
 * when it changes an entry — as a driver invalidates the GPU's TLB after a page-table update
 * (i915 MI_FLUSH_DW / PIPE_CONTROL with TLB invalidate). `buffer`: the memory holding the tables;
 * every root handed to `walker` must lie in it.
 */
export class PpgttTlbKeeper {
  private readonly walkers = new Map<number, Ppgtt>();

  constructor(
    private readonly memory: TableMemory,
    buffer: ArrayBufferLike,
  ) {
    keptWalkers.set(buffer, this.walkers);
  }

  /** The kept walker for root `pml4` (made on first use). */
  walker(pml4: number): Ppgtt {
    let w = this.walkers.get(pml4);
    if (!w) this.walkers.set(pml4, (w = new Ppgtt(this.memory, pml4)));
    w.fault = undefined;
    return w;
  }

  /** An entry mapping graphics pages [firstPage, firstPage + pages) under root `pml4` changed. */
  invalidate(pml4: number, firstPage: number, pages: number): void {
    this.walkers.get(pml4)?.invalidate(firstPage, pages);
  }

  /** Root `pml4` is gone (its tables freed): its walker is dropped, the next user of that address starts cold. */
  forget(pml4: number): void {
    this.walkers.delete(pml4);
  }
}
