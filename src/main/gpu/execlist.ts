/**
 * Execlist submission for one engine (Gen8+): the ELSP port (four dword writes, element 1 first,
 * the last write submits), GFX_MODE with the run-list enable, and the context status buffer. A
 * submitted context is executed from its logical ring context image (ring head/tail/start/ctl at
 * LRCA + one page; a 48-bit PPGTT context's PML4 from its PDP0 slot), its RING_HEAD is written back, and CSB entries plus a context-switch interrupt
 * report the switches. Source: i915 intel_lrc.c (execlists_submit_ports, process_csb), PRM
 * "Execlists".
 */
import {
  CTX_PDP0_LDW,
  CTX_PDP0_UDW,
  CTX_RING_BUFFER_CONTROL,
  CTX_RING_BUFFER_START,
  CTX_RING_HEAD,
  CTX_RING_TAIL,
  GEN8_CTX_STATUS_ACTIVE_IDLE,
  GEN8_CTX_STATUS_COMPLETE,
  GEN8_CTX_STATUS_IDLE_ACTIVE,
  GEN8_CTX_VALID,
  INTEL_LEGACY_64B_CONTEXT,
  LRC_STATE_PN,
  addressingMode,
  lrcaOf,
} from '../../shared/execlist';
import { PAGE_SIZE } from '../../shared/platform';
import {
  GEN8_CSB_ENTRIES,
  GFX_RUN_LIST_ENABLE,
  RING_CONTEXT_STATUS_BUF_LO,
  RING_CONTEXT_STATUS_PTR,
  RING_ELSP,
  RING_EXECLIST_STATUS_HI,
  RING_EXECLIST_STATUS_LO,
  RING_MODE_GEN7,
  applyMasked,
} from '../../shared/regs';
import type { ExecResult, RingEngine } from './engine';
import type { Ggtt } from './ggtt';
import { entryAddress } from './ppgtt';

/**
 * The context status buffer and its pointer register, shared by the physical engine and the
 * mediator's virtual one. Write pointer in bits 2:0 (hardware-owned), read pointer in bits 10:8
 * (software-owned, written as a masked field).
 */
export class ContextStatusBuffer {
  readonly entries = new Uint32Array(GEN8_CSB_ENTRIES * 2);
  /** After reset the first entry written is 0, so both pointers start at the last entry. */
  writePtr = GEN8_CSB_ENTRIES - 1;
  readPtr = GEN8_CSB_ENTRIES - 1;

  push(status: number, ctxId: number): void {
    this.writePtr = (this.writePtr + 1) % GEN8_CSB_ENTRIES;
    this.entries[this.writePtr * 2] = status >>> 0;
    this.entries[this.writePtr * 2 + 1] = ctxId >>> 0;
  }

  get ptrRegister(): number {
    return ((this.readPtr << 8) | this.writePtr) >>> 0;
  }

  /** A software write to RING_CONTEXT_STATUS_PTR: only the (masked) read pointer moves. */
  writePtrRegister(value: number): void {
    this.readPtr = (applyMasked(this.readPtr << 8, value) >>> 8) & 0x7;
    if (this.readPtr >= GEN8_CSB_ENTRIES) this.readPtr %= GEN8_CSB_ENTRIES;
  }

  /** Read the dword at byte offset `rel` from RING_CONTEXT_STATUS_BUF_LO(0). */
  readEntry(rel: number): number {
    return this.entries[rel >>> 2] ?? 0;
  }

  reset(): void {
    this.entries.fill(0);
    this.writePtr = this.readPtr = GEN8_CSB_ENTRIES - 1;
  }
}

/** What one ELSP submission did: per-context results (in element order). */
export interface ExeclistRun {
  contexts: { lrca: number; ctxId: number; result: ExecResult }[];
  /** Aggregate over the contexts. */
  total: ExecResult;
}

/** Per-engine execlist state of the physical GPU. */
export class ExeclistPort {
  gfxMode = 0;
  private elsp: number[] = [];
  readonly csb = new ContextStatusBuffer();

  constructor(
    private readonly engine: RingEngine,
    private readonly ggtt: Ggtt,
  ) {}

  get enabled(): boolean {
    return (this.gfxMode & GFX_RUN_LIST_ENABLE) !== 0;
  }

  /** True when `rel` (offset from the engine base) is an execlist register. */
  static owns(rel: number): boolean {
    return rel === RING_ELSP || rel === RING_MODE_GEN7 || rel === RING_CONTEXT_STATUS_PTR || rel === RING_EXECLIST_STATUS_LO || rel === RING_EXECLIST_STATUS_HI || (rel >= RING_CONTEXT_STATUS_BUF_LO(0) && rel < RING_CONTEXT_STATUS_BUF_LO(GEN8_CSB_ENTRIES));
  }

  read(rel: number): number {
    if (rel === RING_MODE_GEN7) return this.gfxMode;
    if (rel === RING_CONTEXT_STATUS_PTR) return this.csb.ptrRegister;
    if (rel >= RING_CONTEXT_STATUS_BUF_LO(0) && rel < RING_CONTEXT_STATUS_BUF_LO(GEN8_CSB_ENTRIES)) return this.csb.readEntry(rel - RING_CONTEXT_STATUS_BUF_LO(0));
    return 0; // ELSP reads as 0; EXECLIST_STATUS: idle (every submission completes at once)
  }

  /** A register write; the fourth ELSP dword submits and returns what ran. */
  write(rel: number, value: number): ExeclistRun | undefined {
    if (rel === RING_MODE_GEN7) this.gfxMode = applyMasked(this.gfxMode, value);
    else if (rel === RING_CONTEXT_STATUS_PTR) this.csb.writePtrRegister(value);
    else if (rel === RING_ELSP) {
      this.elsp.push(value >>> 0);
      if (this.elsp.length === 4) {
        // Element 1 (hi, lo) was written first, element 0 (hi, lo) last.
        const [hi1, lo1, hi0, lo0] = this.elsp;
        this.elsp = [];
        if (this.enabled) return this.submit([[lo0, hi0], [lo1, hi1]]);
      }
    }
    return undefined;
  }

  /** Contexts of the current submission still to finish, the active one first. */
  private pending: { lrca: number; ctxId: number; ppgtt: boolean; loaded: boolean }[] = [];

  /** True while a submitted context has not completed (e.g. stalled on a semaphore, or hung). */
  get active(): boolean {
    return this.pending.length > 0;
  }

  private submit(elements: [number, number][]): ExeclistRun {
    this.pending = elements.filter(([lo]) => lo & GEN8_CTX_VALID).map(([lo, ctxId]) => ({ lrca: lrcaOf(lo), ctxId, ppgtt: addressingMode(lo) === INTEL_LEGACY_64B_CONTEXT, loaded: false }));
    if (this.pending.length > 0) this.csb.push(GEN8_CTX_STATUS_IDLE_ACTIVE, this.pending[0].ctxId);
    return this.continueRun();
  }

  /** Continue the active context after a stall (undefined when nothing is active). */
  resume(): ExeclistRun | undefined {
    return this.active ? this.continueRun() : undefined;
  }

  /** Engine reset: the submission is abandoned (no CSB entry: the hardware lost it). */
  abort(): void {
    this.pending = [];
  }

  /**
   * Run contexts in order. One that stalls, hangs or faults stays active and stops the run (no
   * COMPLETE, the next element waits); one that completes is reported in the CSB and the next is
   * loaded from its image.
   */
  private continueRun(): ExeclistRun {
    const run: ExeclistRun = { contexts: [], total: { commands: 0, pixels: 0, costNs: 0, userInterrupts: 0 } };
    while (this.pending.length > 0) {
      const ctx = this.pending[0];
      const result = this.runContext(ctx.lrca, ctx.ppgtt, !ctx.loaded);
      ctx.loaded = true;
      run.contexts.push({ lrca: ctx.lrca, ctxId: ctx.ctxId, result });
      for (const k of ['commands', 'pixels', 'costNs', 'userInterrupts'] as const) run.total[k] += result[k];
      if (result.fault) run.total.fault ??= result.fault;
      if (result.stalled || result.hung || result.fault) break;
      this.pending.shift();
      this.csb.push(GEN8_CTX_STATUS_COMPLETE | (this.pending.length === 0 ? GEN8_CTX_STATUS_ACTIVE_IDLE : 0), ctx.ctxId);
    }
    return run;
  }

  /**
   * Load the ring (and for a 48-bit PPGTT context the PML4, from PDP0) from the context image
   * unless resuming it, run it, save RING_HEAD back.
   */
  private runContext(lrca: number, ppgtt: boolean, load: boolean): ExecResult {
    const state = lrca + LRC_STATE_PN * PAGE_SIZE;
    const reg = (i: number): number => this.ggtt.read32(state + (i + 1) * 4);
    const ring = this.engine.ring;
    if (load) {
      ring.head = reg(CTX_RING_HEAD);
      ring.tail = reg(CTX_RING_TAIL);
      ring.start = reg(CTX_RING_BUFFER_START);
      ring.ctl = reg(CTX_RING_BUFFER_CONTROL);
      this.engine.setPpgtt(ppgtt ? entryAddress(reg(CTX_PDP0_LDW), reg(CTX_PDP0_UDW)) : null);
    }
    const result = this.engine.run();
    this.ggtt.write32(state + (CTX_RING_HEAD + 1) * 4, ring.head);
    return result;
  }
}
