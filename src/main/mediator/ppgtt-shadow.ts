/**
 * Shadow PPGTT: a guest's 4-level page tables (guest-physical frames, in its own RAM) turned into
 * tables the physical GPU walks (host-physical frames, in host memory no guest can reach). Every
 * entry is checked: a frame outside the VM's RAM points a PTE at the host's scratch page and a
 * PML4E/PDPE/PDE at a zeroed scratch table (GVT-g's scratch_pt per level), and is logged; the
 * shadow context gets the shadow PML4, never the guest's. A guest PDE with the PS bit (a 2 MiB
 * page) is shadowed as a page table of 512 4 KiB entries, each frame checked the same way
 * (split_2MB_gtt_entry); a PDPE with the PS bit (1 GiB) is refused as GVT-g refuses it ("GVT
 * doesn't support 1GB entry"): it points at the scratch table, so an access through it faults.
 *
 * When: re-checked at submission, guided by the dirty log. GVT-g write-protects the guest's table
 * pages and shadows each trapped write (gtt.c intel_vgpu_create_ppgtt_mm, ppgtt_populate_spt,
 * intel_vgpu_enable_page_track, ppgtt_handle_guest_write_page_table); a simulated guest's RAM is a
 * SharedArrayBuffer its thread writes directly, so there is nothing to trap. Instead each shadowed
 * table keeps the guest entries it was built from, every guest table page is tracked (the page
 * track), and at each submission only the tracked pages whose blocks the dirty log (PPGTT_VIEW,
 * shared/dirty-log.ts) saw written are compared again, entry by entry, re-translating the entries
 * that changed. A guest that writes its tables without logging (a hostile one, or a writer that
 * does not log) is caught by the safety net: every FULL_CHECK_PERIOD-th submission of an address
 * space, and every submission when the VM's RAM keeps no log, compares all of its tables.
 * Containment never depends on the log: a stale shadow (an unlogged guest write not yet seen) only
 * holds frames that were checked to be this VM's RAM when they were translated, and shadow tables
 * live in this vGPU's pool, so at worst the GPU sees an older mapping of the VM's own memory.
 * Shadow tables are cached per guest PML4 (intel_vgpu_find_ppgtt_mm) until the guest's
 * VGT_G2V_PPGTT_L4_PAGE_TABLE_DESTROY, eviction (LRU) or the vGPU's destruction. The GPU keeps its
 * TLB for a shadow across submissions (PpgttTlbKeeper): every shadow entry changed here
 * invalidates exactly the graphics pages it maps.
 *
 * Where: one pool per vGPU (MAX_SHADOW_PAGES pages of host memory, attached to the GPU's
 * host-physical space at SHADOW_PT_BASE + id * SHADOW_PT_SLOT_BYTES, mapped in no GGTT). Pages
 * never move between vGPUs, so a stale shadow can only ever map its own VM's RAM.
 *
 * Sources: GVT-g gtt.c (ppgtt_populate_shadow_entry with the scratch page, intel_vgpu_get_ppgtt_mm,
 * intel_vgpu_g2v_create_ppgtt_mm / intel_vgpu_g2v_destroy_ppgtt_mm), handlers.c
 * handle_g2v_notification; i915 gen8_ppgtt_notify_vgt (pdp[0] = the PML4's address).
 */
import { GEN8_PAGE_PRESENT, GEN8_PDE_PS_2M, PAGE_SIZE } from '../../shared/platform';
import type { HostMemory } from '../gpu/memory';
import { DIRTY_BLOCK_SHIFT, PPGTT_VIEW, takeDirty } from '../../shared/dirty-log';
import { GEN8_ENTRIES_PER_TABLE, GEN8_PDPE_PS_1G, type Ppgtt, PpgttTlbKeeper, entryAddress, entryAddress2M, writeEntry } from '../gpu/ppgtt';
import type { Range } from './resources';

/** Host-physical base of the vGPUs' shadow page-table pools (far above any VM RAM slot). */
export const SHADOW_PT_BASE = 2 ** 44;
/** Host-physical space per vGPU pool. */
export const SHADOW_PT_SLOT_BYTES = 2 ** 30;
/** Shadow table pages per vGPU (4 MiB): page 0 is the scratch table. */
export const MAX_SHADOW_PAGES = 1024;
/** Guest PML4s shadowed at once per vGPU (the least recently used one goes first). */
export const MAX_SHADOW_MMS = 16;
/**
 * Every this many submissions of an address space all its tables are compared, logged or not (the
 * safety net for writers that do not log; the compositor's full comparison runs every 30th sync).
 */
export const FULL_CHECK_PERIOD = 30;
/** Dirty-log blocks per 4 KiB page. */
const PAGE_BLOCKS = PAGE_SIZE >>> DIRTY_BLOCK_SHIFT;
/** Graphics pages one entry of each level maps (PML4E, PDPE, PDE, PTE). */
const ENTRY_PAGES = [512 ** 3, 512 ** 2, 512, 1] as const;

const WORDS = PAGE_SIZE / 4;
const LEVEL_NAMES = ['PML4E', 'PDPE', 'PDE', 'PTE'] as const;

/** One shadowed guest table: which guest page, its level (0 PML4 … 3 PT), its pool page and what it was built from. */
interface ShadowTable {
  level: number;
  /** The guest page it shadows; -1 for the page table a guest 2 MiB page is split into (no guest page, untracked). */
  gfn: number;
  page: number;
  /** Host-physical shadow PML4 of its address space (whose GPU TLB its changes invalidate). */
  root: number;
  /** First graphics page its entries map. */
  firstPage: number;
  /** False once released (its pool page may belong to another table now). */
  live: boolean;
  /** The guest's 512 entries (lo, hi words) as last translated. */
  seen: Uint32Array;
  /** Shadowed next-level tables by entry (levels 0-2). */
  children: (ShadowTable | null)[];
}

/** A shadowed address space: the guest PML4 (guest-physical) and the shadow PML4 (host-physical). */
export interface ShadowMm {
  guestPml4: number;
  shadowPml4: number;
  root: ShadowTable;
  /** Submissions since all its tables were last compared (the safety net). */
  sinceFullCheck: number;
  /** When it was last asked for (PpgttShadow's use counter): the least recently used one is evicted first. */
  lastUse: number;
}

export type ShadowResult = { ok: true; mm: ShadowMm } | { ok: false; reason: string };

/** Counters for tests and the log. */
export interface ShadowStats {
  /** Guest entries translated (new or changed since the last shadowing). */
  translated: number;
  /** Entries pointed at the scratch page / scratch table (frame outside the VM's RAM, or the pool full). */
  scratched: number;
  /** Guest table pages compared at submission. */
  compared: number;
  /** Full comparisons of an address space (the safety net, or no dirty log). */
  fullChecks: number;
}

/** The VM whose tables are shadowed: its RAM (host-physical window), id and log. */
export interface ShadowOwner {
  readonly id: number;
  readonly ram: Range;
  note(message: string): void;
}

/** A vGPU's shadow PPGTTs and their page pool. */
export class PpgttShadow {
  readonly stats: ShadowStats = { translated: 0, scratched: 0, compared: 0, fullChecks: 0 };
  private readonly mms = new Map<number, ShadowMm>();
  /**
   * Counts `shadow` calls; each address space keeps the count of its last use (its LRU stamp). A
   * stamp rather than re-inserting into `mms` to keep the Map in use order: with one address space
   * that delete + set shrinks and regrows V8's hash table at every submission (~0.6 µs).
   */
  private uses = 0;
  /** The page track: shadow tables by the guest frame they were built from (GVT-g's spt hash by gfn). */
  private readonly tracked = new Map<number, ShadowTable[]>();
  private pool: Uint32Array | null = null;
  private tlbs: PpgttTlbKeeper | null = null;
  private free: number[] = [];
  private readonly poolBase: number;
  /** Guest RAM as words (guest-physical 0 = index 0). */
  private readonly guest: Uint32Array;
  private poolFullNoted = false;
  /** refreshWritten's list of tables to compare (reused; empty between calls). */
  private readonly written: ShadowTable[] = [];

  /**
   * owner: the vGPU; memory: the GPU's host-physical space (the pool is attached there on first
   * use); guestRam: the VM's RAM buffer; scratchHpa: the host's scratch page (GVT-g scratch_mfn).
   */
  constructor(
    private readonly owner: ShadowOwner,
    private readonly memory: HostMemory,
    guestRam: ArrayBufferLike,
    private readonly scratchHpa: number,
  ) {
    this.poolBase = SHADOW_PT_BASE + owner.id * SHADOW_PT_SLOT_BYTES;
    this.guest = new Uint32Array(guestRam, 0, Math.floor(guestRam.byteLength / PAGE_SIZE) * WORDS);
  }

  /** Host-physical address of the scratch table (pool page 0, zero, never a leaf). */
  get scratchTableHpa(): number {
    return this.poolBase;
  }

  /** Host-physical range of the pool (for tests: nothing a guest writes may point there). */
  get poolRange(): Range {
    return { base: this.poolBase, size: MAX_SHADOW_PAGES * PAGE_SIZE };
  }

  /** Number of guest PML4s shadowed now. */
  get size(): number {
    return this.mms.size;
  }

  /**
   * The shadow of the address space rooted at guest-physical `pml4Gpa`, built or brought up to
   * date with the guest's tables now. Fails (nothing shadowed) when the PML4 is not a page of the
   * VM's RAM. Source: GVT-g intel_vgpu_get_ppgtt_mm / intel_vgpu_create_ppgtt_mm.
   */
  shadow(pml4Gpa: number): ShadowResult {
    if (!this.guestPage(pml4Gpa)) return { ok: false, reason: `PPGTT PML4 at guest-physical 0x${pml4Gpa.toString(16)} is not a page of the VM's RAM` };
    const log = this.memory.regionOf(this.owner.ram.base)?.dirty ?? null;
    // Tables of every address space written since the last look (logged writes), brought up to date.
    if (log) this.refreshWritten(log);
    let mm = this.mms.get(pml4Gpa);
    if (mm) {
      if (!log || ++mm.sinceFullCheck >= FULL_CHECK_PERIOD) {
        mm.sinceFullCheck = 0;
        this.stats.fullChecks++;
        this.refresh(mm.root, false, true);
      }
    } else {
      if (this.mms.size >= MAX_SHADOW_MMS) this.destroy(this.leastRecentlyUsed());
      const root = this.table(0, pml4Gpa / PAGE_SIZE, -1, 0);
      if (!root) return { ok: false, reason: `no shadow page-table page left for PML4 0x${pml4Gpa.toString(16)} (${MAX_SHADOW_PAGES} per vGPU)` };
      mm = { guestPml4: pml4Gpa, shadowPml4: root.root, root, sinceFullCheck: 0, lastUse: 0 };
      this.refresh(root, true, true);
      this.mms.set(pml4Gpa, mm);
    }
    mm.lastUse = ++this.uses;
    return { ok: true, mm };
  }

  /** The guest PML4 of the address space used longest ago (there is at least one). */
  private leastRecentlyUsed(): number {
    let oldest: ShadowMm | null = null;
    for (const mm of this.mms.values()) if (oldest === null || mm.lastUse < oldest.lastUse) oldest = mm;
    return oldest!.guestPml4;
  }

  /** Drop the shadow of `pml4Gpa` (g2v PPGTT_L4_PAGE_TABLE_DESTROY); false when it had none. Source: intel_vgpu_g2v_destroy_ppgtt_mm. */
  destroy(pml4Gpa: number): boolean {
    const mm = this.mms.get(pml4Gpa);
    if (!mm) return false;
    this.release(mm.root);
    this.tlbs?.forget(mm.shadowPml4);
    this.mms.delete(pml4Gpa);
    return true;
  }

  /** The GPU's walker over a shadow (what the scanner reads PPGTT batch buffers through). */
  walker(mm: ShadowMm): Ppgtt {
    return this.tlbs!.walker(mm.shadowPml4);
  }

  /** Free everything and detach the pool (the vGPU is destroyed). */
  dispose(): void {
    this.mms.clear();
    this.tracked.clear();
    if (this.pool) this.memory.detach(this.poolBase);
    this.pool = null;
    this.tlbs = null;
  }

  private guestPage(gpa: number): boolean {
    return Number.isInteger(gpa) && gpa >= 0 && gpa % PAGE_SIZE === 0 && gpa + PAGE_SIZE <= this.owner.ram.size && gpa + PAGE_SIZE <= this.guest.length * 4;
  }

  private hpa(page: number): number {
    return this.poolBase + page * PAGE_SIZE;
  }

  /**
   * A pool page for a shadow table of guest page `gfn` at `level`, under the address space rooted at
   * `root` (-1: this table is the root), mapping graphics pages from `firstPage`; tracked by gfn.
   * Null when the pool is full.
   */
  private table(level: number, gfn: number, root: number, firstPage: number): ShadowTable | null {
    if (!this.pool) {
      const buffer = new ArrayBuffer(MAX_SHADOW_PAGES * PAGE_SIZE);
      this.memory.attach(this.poolBase, buffer);
      this.pool = new Uint32Array(buffer);
      this.tlbs = new PpgttTlbKeeper(this.memory, buffer);
      this.free = Array.from({ length: MAX_SHADOW_PAGES - 1 }, (_, i) => MAX_SHADOW_PAGES - 1 - i); // page 0: scratch table
    }
    const page = this.free.pop();
    if (page === undefined) return null;
    const t: ShadowTable = {
      level,
      gfn,
      page,
      root: root < 0 ? this.hpa(page) : root,
      firstPage,
      live: true,
      seen: new Uint32Array(WORDS),
      children: level < 3 ? new Array<ShadowTable | null>(GEN8_ENTRIES_PER_TABLE).fill(null) : [],
    };
    if (gfn >= 0) {
      const same = this.tracked.get(gfn);
      if (same) same.push(t);
      else this.tracked.set(gfn, [t]);
    }
    return t;
  }

  private release(t: ShadowTable): void {
    for (const c of t.children) if (c) this.release(c);
    t.live = false;
    const same = t.gfn >= 0 ? this.tracked.get(t.gfn) : undefined;
    if (same) {
      same.splice(same.indexOf(t), 1);
      if (same.length === 0) this.tracked.delete(t.gfn);
    }
    this.pool?.fill(0, t.page * WORDS, (t.page + 1) * WORDS);
    this.free.push(t.page);
  }

  /** The pool is full: the entry points at the scratch table (noted once). */
  private poolFull(): number {
    this.stats.scratched++;
    if (!this.poolFullNoted) this.owner.note(`PPGTT: shadow page-table pool full (${MAX_SHADOW_PAGES} pages): further tables point at the scratch table`);
    this.poolFullNoted = true;
    return this.scratchTableHpa;
  }

  /**
   * Shadow PDE `i` of `t`, a guest 2 MiB page at guest-physical `gpa` (GEN8_PDE_PS_2M), as a page
   * table of 512 4 KiB entries, each frame checked on its own: a frame outside the VM's RAM (the
   * page straddling its end, or lying wholly outside) points at the scratch page, like a 4 KiB PTE's.
   * The table has no guest page (gfn -1, untracked): it changes only when the PDE does. Returns the
   * table's host-physical address for the shadow PDE (no PS bit). Source: GVT-g split_2MB_gtt_entry
   * (the shadow is always split: is_2MB_gtt_possible needs a huge host page behind the guest's, and
   * a VM's RAM here is one buffer of 4 KiB pages); where GVT-g fails the whole shadow when a frame
   * cannot be mapped (intel_gvt_hypervisor_dma_map_guest_page), only that frame goes to scratch.
   */
  private split2M(t: ShadowTable, i: number, gpa: number): number {
    const sub = this.table(3, -1, t.root, t.firstPage + i * GEN8_ENTRIES_PER_TABLE);
    if (!sub) return this.poolFull();
    t.children[i] = sub;
    const pool = this.pool!;
    const out = sub.page * WORDS;
    let outside = 0;
    for (let k = 0; k < GEN8_ENTRIES_PER_TABLE; k++) {
      const frame = gpa + k * PAGE_SIZE;
      const own = this.guestPage(frame);
      if (!own) outside++;
      writeEntry(pool, out + 2 * k, own ? this.owner.ram.base + frame : this.scratchHpa);
    }
    if (outside > 0) {
      this.stats.scratched += outside;
      this.owner.note(`PPGTT: PDE ${i} of guest table 0x${(t.gfn * PAGE_SIZE).toString(16)} is a 2 MiB page at guest-physical 0x${gpa.toString(16)}, split into 4 KiB entries (split_2MB_gtt_entry): ${outside} of its 512 frames lie outside the VM's ${this.owner.ram.size >>> 20} MiB RAM, pointed at the scratch page`);
    }
    return this.hpa(sub.page);
  }

  /**
   * Compare again the tracked guest table pages the dirty log saw written since the last look
   * (their bits in PPGTT_VIEW are taken), each table on its own: an unchanged entry keeps its shadow
   * and its next-level table, which is compared only if its own page was written.
   */
  private refreshWritten(log: Uint32Array): void {
    const written = this.written;
    written.length = 0;
    // forEach rather than for-of over entries: no iterator and [gfn, tables] pair per tracked page at every submission.
    this.tracked.forEach((tables, gfn) => {
      if (takeDirty(log, PPGTT_VIEW, gfn * PAGE_BLOCKS, PAGE_BLOCKS)) for (const t of tables) written.push(t);
    });
    // A table released meanwhile (its parent entry changed) is skipped: its replacement was built from the guest's page as it is now.
    for (const t of written) if (t.live) this.refresh(t, false, false);
    written.length = 0;
  }

  /**
   * Bring shadow table `t` in line with the guest's page: entries equal to what was seen keep their
   * shadow (with `descend`, their next-level tables are compared in turn); the others are
   * translated again and the GPU's TLB forgets what they mapped. `all`: a new table, translate
   * every entry. Source: ppgtt_populate_spt, ppgtt_populate_shadow_entry.
   */
  private refresh(t: ShadowTable, all: boolean, descend: boolean): void {
    const pool = this.pool!;
    const g = this.guest;
    const at = t.gfn * WORDS;
    const out = t.page * WORDS;
    const span = ENTRY_PAGES[t.level]!;
    this.stats.compared++;
    let i = 0;
    if (!all) {
      // The unchanged case first, word by word (the safety net compares every table of an address
      // space, nearly always all unchanged): the entries before the first difference keep their
      // shadow, and their next-level tables are compared in turn, in entry order as below.
      const seen = t.seen;
      let k = 0;
      while (k < WORDS && g[at + k] === seen[k]) k++;
      i = k >>> 1;
      if (descend && t.level < 3) {
        for (let j = 0; j < i; j++) {
          const child = t.children[j];
          // A split 2 MiB page (gfn -1) is made from its parent's entry alone: nothing of the guest's to compare.
          if (child && child.gfn >= 0) this.refresh(child, false, true);
        }
      }
    }
    for (; i < GEN8_ENTRIES_PER_TABLE; i++) {
      // Each guest word is read once: what is checked is what is shadowed.
      const lo = g[at + 2 * i];
      const hi = g[at + 2 * i + 1];
      const child = t.level < 3 ? t.children[i] : null;
      if (!all && lo === t.seen[2 * i] && hi === t.seen[2 * i + 1]) {
        // A split 2 MiB page (gfn -1) is made from its parent's entry alone: nothing of the guest's to compare.
        if (child && descend && child.gfn >= 0) this.refresh(child, false, true);
        continue;
      }
      t.seen[2 * i] = lo;
      t.seen[2 * i + 1] = hi;
      if (child) {
        this.release(child);
        t.children[i] = null;
      }
      this.stats.translated++;
      // Host-physical address the shadow entry points at; -1: not present.
      let hpa = -1;
      if (lo & GEN8_PAGE_PRESENT) {
        if (t.level === 1 && (lo & GEN8_PDPE_PS_1G) !== 0) {
          this.stats.scratched++;
          this.owner.note(`PPGTT: PDPE ${i} of guest table 0x${(t.gfn * PAGE_SIZE).toString(16)} has the PS bit (a 1 GiB page): GVT doesn't support 1GB entry (ppgtt_populate_shadow_entry), pointed at the scratch table`);
          hpa = this.scratchTableHpa;
        } else if (t.level === 2 && (lo & GEN8_PDE_PS_2M) !== 0) {
          hpa = this.split2M(t, i, entryAddress2M(lo, hi));
        } else {
          const gpa = entryAddress(lo, hi);
          if (!this.guestPage(gpa)) {
            this.stats.scratched++;
            this.owner.note(`PPGTT: ${LEVEL_NAMES[t.level]} ${i} of guest table 0x${(t.gfn * PAGE_SIZE).toString(16)} names guest frame 0x${(gpa / PAGE_SIZE).toString(16)} outside the VM's ${this.owner.ram.size >>> 20} MiB RAM: pointed at the scratch ${t.level === 3 ? 'page' : 'table'}`);
            hpa = t.level === 3 ? this.scratchHpa : this.scratchTableHpa;
          } else if (t.level === 3) {
            hpa = this.owner.ram.base + gpa;
          } else {
            const next = this.table(t.level + 1, gpa / PAGE_SIZE, t.root, t.firstPage + i * span);
            if (next) {
              t.children[i] = next;
              this.refresh(next, true, true);
              hpa = this.hpa(next.page);
            } else hpa = this.poolFull();
          }
        }
      }
      writeEntry(pool, out + 2 * i, hpa);
      // A new table's entries map nothing the TLB holds yet (its parent's entry was just invalidated).
      if (!all) this.tlbs!.invalidate(t.root, t.firstPage + i * span, span);
    }
  }
}
