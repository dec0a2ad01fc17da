/**
 * A vGPU's virtual execlist port for one engine, emulated as GVT-g does it: the virtual context
 * status buffer (CSB) and its pointer register, and the two virtual execlist slots (the running
 * submission and at most one pending one) from which the CSB entries a guest sees are derived.
 * Source: GVT-g execlist.c (init_vgpu_execlist, emulate_csb_update, emulate_execlist_schedule_in,
 * emulate_execlist_ctx_schedule_out, switch_virtual_execlist_slot, get_next_execlist_slot,
 * complete_execlist_workload) and execlist.h (struct execlist_context_status_format).
 */
import {
  GEN8_CTX_PRIVILEGE,
  GEN8_CTX_STATUS_ACTIVE_IDLE,
  GEN8_CTX_STATUS_COMPLETE,
  GEN8_CTX_STATUS_ELEMENT_SWITCH,
  GEN8_CTX_STATUS_IDLE_ACTIVE,
  GEN8_CTX_STATUS_LITE_RESTORE,
  GEN8_CTX_STATUS_PREEMPTED,
  GEN8_CTX_VALID,
  lrcaOf,
} from '../../shared/execlist';
import { GEN8_CSB_ENTRIES, applyMasked } from '../../shared/regs';

/**
 * The pointer value GVT-g gives both an initialised and a reset vGPU: read_ptr 0, write_ptr 0x7
 * ("nothing written"; the first entry then goes to slot 0). Source: execlist.c init_vgpu_execlist.
 */
export const VIRTUAL_CSB_WRITE_PTR_RESET = 0x7;

/** One ELSP element as GVT-g keeps it (execlist_ctx_descriptor_format): valid, LRCA and context ID. */
export interface CtxDesc {
  valid: boolean;
  /** Bit 8 of the descriptor: a GGTT (privileged) context; GVT-g refuses an ELSP element without it. */
  privileged: boolean;
  /** GM address of the context image (descriptor bits 31:12). */
  lrca: number;
  /** The descriptor's upper dword. */
  ctxId: number;
}

/** Decode an ELSP element (lo, hi dwords). */
export function ctxDesc(lo: number, hi: number): CtxDesc {
  return { valid: (lo & GEN8_CTX_VALID) !== 0, privileged: (lo & GEN8_CTX_PRIVILEGE) !== 0, lrca: lrcaOf(lo), ctxId: hi >>> 0 };
}

/** GVT-g same_context(): context ID and LRCA equal. */
export const sameContext = (a: CtxDesc, b: CtxDesc): boolean => a.ctxId === b.ctxId && a.lrca === b.lrca;

/**
 * The virtual CSB: six (status, context ID) entries and RING_CONTEXT_STATUS_PTR. Unlike the
 * hardware model's buffer, both pointer fields are guest-writable (GVT-g registers the pointer as a
 * plain F_MODE_MASK register, so a masked write reaches either field), and the write pointer
 * advances as emulate_csb_update does: 0x7 -> 0, else +1 modulo 6.
 */
export class VirtualCsb {
  readonly entries = new Uint32Array(GEN8_CSB_ENTRIES * 2);
  writePtr = VIRTUAL_CSB_WRITE_PTR_RESET;
  readPtr = 0;
  /**
   * Called after each entry is written, with the buffer (its new write pointer names the entry):
   * the vGPU mirrors it into the guest's hardware status page (hwsp.ts). Null: no mirror.
   */
  mirror: ((csb: VirtualCsb) => void) | null = null;

  /** Append an entry (emulate_csb_update), then mirror it. */
  push(status: number, ctxId: number): void {
    this.writePtr = this.writePtr === VIRTUAL_CSB_WRITE_PTR_RESET ? 0 : (this.writePtr + 1) % GEN8_CSB_ENTRIES;
    this.entries[this.writePtr * 2] = status >>> 0;
    this.entries[this.writePtr * 2 + 1] = ctxId >>> 0;
    this.mirror?.(this);
  }

  /** RING_CONTEXT_STATUS_PTR as the guest reads it: read pointer in bits 10:8, write pointer in 2:0. */
  get ptrRegister(): number {
    return ((this.readPtr << 8) | this.writePtr) >>> 0;
  }

  /** A guest write of RING_CONTEXT_STATUS_PTR: a masked write over bits 15:0 (both 3-bit fields kept). */
  writePtrRegister(value: number): void {
    const v = applyMasked(this.ptrRegister, value);
    this.writePtr = v & 0x7;
    this.readPtr = (v >>> 8) & 0x7;
  }

  /** The dword at byte offset `rel` from RING_CONTEXT_STATUS_BUF_LO(0) (0 past the end). */
  readEntry(rel: number): number {
    return this.entries[rel >>> 2] ?? 0;
  }

  /**
   * init_vgpu_execlist: read_ptr 0, write_ptr 0x7; the entries keep what was last written, as
   * upstream rewrites only the pointer register (its CSB buffer registers stay in vreg untouched)
   * and as the hardware's own CSB reset leaves the buffer alone (i915 reset_csb_pointers only
   * moves the pointers: entries are read only between them). The guest's HWSP is not written
   * either (the guest resets its own copy); the next entry goes to slot 0 of both.
   */
  reset(): void {
    this.writePtr = VIRTUAL_CSB_WRITE_PTR_RESET;
    this.readPtr = 0;
  }
}

/** A virtual execlist slot: the two elements of one ELSP submission. */
interface Slot {
  ctx: [CtxDesc, CtxDesc];
}

/** A CSB emulation step: the entries it appended and whether the context-switch interrupt is due. */
export interface CsbUpdate {
  interrupt: boolean;
  /** Set when GVT-g refuses the step (gvt_vgpu_err); nothing was appended then. */
  error?: string;
}

/** A vGPU's virtual execlist port for one engine. Source: GVT-g execlist.c (struct intel_vgpu_execlist). */
export class VirtualExeclist {
  /** GFX_MODE (RING_MODE_GEN7) as the guest wrote it (masked). */
  gfxMode = 0;
  /** ELSP dwords written so far (element 1 hi, lo, element 0 hi, lo); the fourth submits. */
  elsp: number[] = [];
  readonly csb = new VirtualCsb();
  /** Per guest context (LRCA): ring offset up to which commands were scanned and queued. */
  readonly scannedTail = new Map<number, number>();
  private running: Slot | null = null;
  private pending: Slot | null = null;
  /** Which element of the running slot is executing (null: none). */
  private runningContext: CtxDesc | null = null;

  /** The running slot's elements (for tests and diagnostics), or null when the port is idle. */
  get runningSlot(): readonly [CtxDesc, CtxDesc] | null {
    return this.running ? this.running.ctx : null;
  }

  /**
   * The first element of a submission reaches the engine (emulate_execlist_schedule_in): with no
   * running submission it becomes the running one and the CSB gets IDLE_TO_ACTIVE with context ID 0
   * (GVT-g does not fill in the ID); a submission continuing the running context is a lite restore
   * (LITE_RESTORE | PREEMPTED with the new element 0's ID); otherwise it waits in the pending slot.
   */
  scheduleIn(ctx: [CtxDesc, CtxDesc]): CsbUpdate {
    // get_next_execlist_slot: both slots in use (execlist_queue_full).
    if (this.running && this.pending) return { interrupt: false, error: 'virtual execlist slots are full' };
    const slot: Slot = { ctx: [{ ...ctx[0] }, { ...ctx[1] }] };
    if (!this.running) {
      this.running = slot;
      this.pending = null;
      this.runningContext = slot.ctx[0];
      this.csb.push(GEN8_CTX_STATUS_IDLE_ACTIVE, 0);
      return { interrupt: true };
    }
    const [ctx0, ctx1] = this.running.ctx;
    const next0 = slot.ctx[0];
    // a: element 0 finished, element 1 runs and is resubmitted as the new element 0;
    // b: a single-element submission of the context still running.
    const liteRestore = (ctx1.valid && sameContext(ctx1, next0) && !(this.runningContext !== null && sameContext(ctx0, this.runningContext))) || (!ctx1.valid && sameContext(ctx0, next0));
    this.pending = slot;
    if (!liteRestore) return { interrupt: false };
    this.switchSlot();
    this.csb.push(GEN8_CTX_STATUS_LITE_RESTORE | GEN8_CTX_STATUS_PREEMPTED, next0.ctxId);
    return { interrupt: true };
  }

  /**
   * Element `ctx` of the running submission completed (emulate_execlist_ctx_schedule_out): element 0
   * with element 1 valid is an ELEMENT_SWITCH; the last element is CONTEXT_COMPLETE | ACTIVE_TO_IDLE,
   * followed, when a submission is pending, by its IDLE_TO_ACTIVE (context ID 0) and only then
   * the interrupt. A context that is not the running one is refused.
   */
  scheduleOut(ctx: CtxDesc): CsbUpdate {
    const running = this.running;
    if (!running || !this.runningContext || !sameContext(ctx, this.runningContext)) {
      return { interrupt: false, error: `schedule out context is not running context, ctx id 0x${ctx.ctxId.toString(16)} running ctx id 0x${(this.runningContext?.ctxId ?? 0).toString(16)}` };
    }
    const [ctx0, ctx1] = running.ctx;
    if (ctx1.valid && sameContext(ctx0, ctx)) {
      this.runningContext = ctx1;
      this.csb.push(GEN8_CTX_STATUS_COMPLETE | GEN8_CTX_STATUS_ELEMENT_SWITCH, ctx.ctxId);
      return { interrupt: true };
    }
    if ((!ctx1.valid && sameContext(ctx0, ctx)) || (ctx1.valid && sameContext(ctx1, ctx))) {
      const pending = this.pending;
      this.switchSlot();
      this.csb.push(GEN8_CTX_STATUS_COMPLETE | GEN8_CTX_STATUS_ACTIVE_IDLE, ctx.ctxId);
      if (pending) this.csb.push(GEN8_CTX_STATUS_IDLE_ACTIVE, 0);
      return { interrupt: true };
    }
    return { interrupt: false, error: `schedule out context 0x${ctx.ctxId.toString(16)} matches neither element` };
  }

  /** reset_execlist / init_vgpu_execlist: slots emptied, CSB pointers back to read 0, write 0x7 (entries kept). */
  reset(): void {
    this.elsp = [];
    this.scannedTail.clear();
    this.csb.reset();
    this.running = this.pending = this.runningContext = null;
  }

  /** switch_virtual_execlist_slot: the pending slot (or none) becomes the running one, at its element 0. */
  private switchSlot(): void {
    this.running = this.pending;
    this.pending = null;
    this.runningContext = this.running && this.runningContext ? this.running.ctx[0] : null;
  }
}
