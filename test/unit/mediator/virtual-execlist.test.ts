/**
 * The virtual execlist port on its own: CSB pointer arithmetic and the slot transitions of GVT-g's
 * execlist.c, including the cases the guest driver does not produce (lite restore, pending slot).
 */
import { describe, expect, it } from 'vitest';
import { type CtxDesc, VirtualCsb, VirtualExeclist } from '../../../src/main/mediator/virtual-execlist';
import {
  GEN8_CTX_STATUS_ACTIVE_IDLE,
  GEN8_CTX_STATUS_COMPLETE,
  GEN8_CTX_STATUS_ELEMENT_SWITCH,
  GEN8_CTX_STATUS_IDLE_ACTIVE,
  GEN8_CTX_STATUS_LITE_RESTORE,
  GEN8_CTX_STATUS_PREEMPTED,
} from '../../../src/shared/execlist';

const ctx = (ctxId: number, lrca = ctxId << 12): CtxDesc => ({ valid: true, privileged: true, lrca, ctxId });
const none: CtxDesc = { valid: false, privileged: false, lrca: 0, ctxId: 0 };
/** The CSB entries written since `from` (write pointer before), as [status, ctxId]. */
function written(csb: VirtualCsb, fromPtr: number): [number, number][] {
  const out: [number, number][] = [];
  let p = fromPtr;
  while (p !== csb.writePtr) {
    p = p === 7 ? 0 : (p + 1) % 6;
    out.push([csb.entries[p * 2], csb.entries[p * 2 + 1]]);
  }
  return out;
}

describe('VirtualCsb (execlist.c emulate_csb_update, init_vgpu_execlist)', () => {
  it('starts at read 0 / write 0x7, writes slot 0 first, then wraps modulo 6', () => {
    const csb = new VirtualCsb();
    expect(csb.ptrRegister).toBe(0x7);
    for (let i = 0; i < 7; i++) csb.push(i + 1, 100 + i);
    // 7 entries: slots 0..5, then 0 again.
    expect(csb.writePtr).toBe(0);
    expect([csb.readEntry(0), csb.readEntry(4)]).toEqual([7, 106]);
    csb.reset();
    expect(csb.ptrRegister).toBe(0x7);
  });

  it('a reset moves only the pointers and keeps the entries (execlist.c reset_execlist / init_vgpu_execlist)', () => {
    const csb = new VirtualCsb();
    for (let i = 0; i < 3; i++) csb.push(0x10 + i, 0x200 + i);
    csb.writePtrRegister((0x0700 << 16) | (2 << 8));
    const before = [...csb.entries];
    csb.reset();
    // init_vgpu_execlist rewrites only RING_CONTEXT_STATUS_PTR: read_ptr 0, write_ptr 0x7.
    expect(csb.ptrRegister).toBe(0x7);
    expect([...csb.entries]).toEqual(before);
    // Slot 2 (bytes 16 and 20: status, context ID) still holds the third entry.
    expect([csb.readEntry(16), csb.readEntry(20)]).toEqual([0x12, 0x202]);
    // The next entry still goes to slot 0, over what was there.
    csb.push(0x99, 0x300);
    expect([csb.readEntry(0), csb.readEntry(4), csb.readEntry(16)]).toEqual([0x99, 0x300, 0x12]);
  });

  it('VirtualExeclist.reset keeps the CSB entries and empties the slots (execlist.c reset_execlist)', () => {
    const el = new VirtualExeclist();
    el.scheduleIn([ctx(0x11), none]);
    el.scheduleOut(ctx(0x11));
    const before = [...el.csb.entries];
    el.reset();
    expect(el.runningSlot).toBeNull();
    expect(el.csb.ptrRegister).toBe(0x7);
    expect([...el.csb.entries]).toEqual(before);
    // Slot 1: the COMPLETE | ACTIVE_TO_IDLE entry's context ID.
    expect(el.csb.readEntry(12)).toBe(0x11);
  });

  it('both pointer fields take a masked guest write (F_MODE_MASK), as i915 reset_csb_pointers uses', () => {
    const csb = new VirtualCsb();
    csb.writePtrRegister((0xffff << 16) | (5 << 8) | 5);
    expect(csb.ptrRegister).toBe(0x505);
    csb.push(1, 0);
    expect(csb.writePtr).toBe(0);
    // Only the read pointer's mask bits: the write pointer stays.
    csb.writePtrRegister((0x0700 << 16) | (0 << 8));
    expect(csb.ptrRegister).toBe(0x000);
  });
});

describe('VirtualExeclist slots (execlist.c emulate_execlist_schedule_in / emulate_execlist_ctx_schedule_out)', () => {
  it('a single element: IDLE_TO_ACTIVE with context ID 0, then COMPLETE|ACTIVE_TO_IDLE with its ID; the port is idle again', () => {
    const el = new VirtualExeclist();
    expect(el.scheduleIn([ctx(0x11), none])).toEqual({ interrupt: true });
    expect(el.scheduleOut(ctx(0x11))).toEqual({ interrupt: true });
    expect(written(el.csb, 7)).toEqual([
      [GEN8_CTX_STATUS_IDLE_ACTIVE, 0],
      [GEN8_CTX_STATUS_COMPLETE | GEN8_CTX_STATUS_ACTIVE_IDLE, 0x11],
    ]);
    expect(el.runningSlot).toBeNull();
  });

  it('two elements: ELEMENT_SWITCH after element 0, ACTIVE_TO_IDLE after element 1', () => {
    const el = new VirtualExeclist();
    el.scheduleIn([ctx(0x11), ctx(0x22)]);
    el.scheduleOut(ctx(0x11));
    el.scheduleOut(ctx(0x22));
    expect(written(el.csb, 7)).toEqual([
      [GEN8_CTX_STATUS_IDLE_ACTIVE, 0],
      [GEN8_CTX_STATUS_COMPLETE | GEN8_CTX_STATUS_ELEMENT_SWITCH, 0x11],
      [GEN8_CTX_STATUS_COMPLETE | GEN8_CTX_STATUS_ACTIVE_IDLE, 0x22],
    ]);
  });

  it('a resubmission of the running context is a lite restore (LITE_RESTORE|PREEMPTED with the new element 0 ID)', () => {
    const el = new VirtualExeclist();
    el.scheduleIn([ctx(0x11), none]);
    // (the completion of the first submission was skipped: complete_execlist_workload saw the same context next)
    expect(el.scheduleIn([ctx(0x11), none])).toEqual({ interrupt: true });
    el.scheduleOut(ctx(0x11));
    expect(written(el.csb, 7)).toEqual([
      [GEN8_CTX_STATUS_IDLE_ACTIVE, 0],
      [GEN8_CTX_STATUS_LITE_RESTORE | GEN8_CTX_STATUS_PREEMPTED, 0x11],
      [GEN8_CTX_STATUS_COMPLETE | GEN8_CTX_STATUS_ACTIVE_IDLE, 0x11],
    ]);
  });

  it('another submission while one runs waits in the pending slot; its IDLE_TO_ACTIVE (ID 0) follows the running one\'s ACTIVE_TO_IDLE; a third is refused', () => {
    const el = new VirtualExeclist();
    el.scheduleIn([ctx(0x11), none]);
    expect(el.scheduleIn([ctx(0x33), none])).toEqual({ interrupt: false });
    expect(el.scheduleIn([ctx(0x44), none]).error).toMatch(/slots are full/);
    expect(el.scheduleOut(ctx(0x11))).toEqual({ interrupt: true });
    expect(el.runningSlot?.[0].ctxId).toBe(0x33);
    expect(written(el.csb, 7)).toEqual([
      [GEN8_CTX_STATUS_IDLE_ACTIVE, 0],
      [GEN8_CTX_STATUS_COMPLETE | GEN8_CTX_STATUS_ACTIVE_IDLE, 0x11],
      [GEN8_CTX_STATUS_IDLE_ACTIVE, 0],
    ]);
  });

  it('scheduling out a context that is not running is refused and writes nothing', () => {
    const el = new VirtualExeclist();
    expect(el.scheduleOut(ctx(0x11)).error).toMatch(/not running context/);
    el.scheduleIn([ctx(0x11), ctx(0x22)]);
    const before = el.csb.writePtr;
    expect(el.scheduleOut(ctx(0x22)).error).toMatch(/not running context/);
    expect(el.csb.writePtr).toBe(before);
  });
});
