/**
 * The PV cases of a guest's g2v_notify write: shared page registration, a CTB command
 * (PV_SEND_TRIGGER) and PV submission. A notification the vGPU cannot honour (no page registered,
 * the cap not negotiated, a garbage slot or CTB) is refused: counted in `v.pv.refused` and logged,
 * never thrown; a refused submission is not acked, so the guest sees it failed. What a submitted
 * context then does is judged by the ELSP path (`submit`), with its failsafe on a bad LRCA or a
 * rejected command. Source: GVT-g handlers.c handle_g2v_notification as extended by the PV series
 * ("GVTg handle guest shared_page setup", "GVTg support vgpu pv CTB protocol", "GVTg support pv
 * workload submssion").
 */
import { PVINFO, PV_CMD_BIND_GGTT, PV_EINVAL, PV_GGTT, PV_SUBMISSION, VGT_G2V } from '../../shared/pvinfo';
import type { EngineId } from '../gpu/engine';
import type { ShadowGgtt } from './gtt-shadow';
import { completePvCommand, fetchPvCommand } from './pv-ctb';
import { pvGgttBind } from './pv-ggtt';
import { ackPvSubmission, pvSubmitted, readPvSubmission } from './pv-submission';
import type { Vgpu } from './vgpu';

/** What the notification handler needs from the mediator (one object for all vGPUs). */
export interface PvNotifyContext {
  /** The physical GGTT and the scratch page refused entries point at. */
  shadow: ShadowGgtt;
  /** Engines in shared-page slot order. */
  engines: readonly EngineId[];
  /** Submit ELSP elements on `engine` of `v` as a PV execlist submission; true when they were queued. */
  submit(v: Vgpu, engine: EngineId, elements: [number, number][], nowNs: number): boolean;
  /** `v`'s shared page was (re)registered: mirror the PVMMIO registers into it now. */
  registered(v: Vgpu): void;
}

/** Count and log a refused PV request (gvt_vgpu_err). */
export function refusePv(v: Vgpu, reason: string): void {
  v.pv.refused++;
  v.note(`PV: ${reason}`);
}

/**
 * handle_g2v_notification for the PV notifications; returns false for other values (the
 * PPGTT/context notifications GVT-g has, which this model does not use).
 */
export function handlePvNotification(v: Vgpu, notification: number, nowNs: number, ctx: PvNotifyContext): boolean {
  switch (notification) {
    case VGT_G2V.SHARED_PAGE_REGISTER: {
      const lo = v.pvinfoWritten.get(PVINFO.shared_page_gpa) ?? 0;
      const hi = v.pvinfoWritten.get(PVINFO.shared_page_gpa + 4) ?? 0;
      const refused = v.pv.register(hi * 2 ** 32 + lo);
      if (refused) refusePv(v, refused);
      else {
        v.note(`PV: shared page registered at GPA 0x${v.pv.gpa.toString(16)}, pv_caps 0x${v.pv.caps.toString(16)}`);
        ctx.registered(v);
      }
      return true;
    }
    case VGT_G2V.PV_SEND_TRIGGER:
      pvSendTrigger(v, ctx);
      return true;
    case VGT_G2V.PV_SUBMISSION:
      pvSubmission(v, nowNs, ctx);
      return true;
    default:
      return false;
  }
}

/** handle_pv_commands: one CTB message, then its fence and status in the descriptor. */
function pvSendTrigger(v: Vgpu, ctx: PvNotifyContext): void {
  const page = v.pv.page;
  if (!page || !v.pv.enabled(PV_GGTT)) return refusePv(v, 'PV_SEND_TRIGGER before a shared page was registered with PV_GGTT negotiated');
  const got = fetchPvCommand(page);
  if (!got.ok) {
    completePvCommand(page, 0, got.status);
    return refusePv(v, got.reason);
  }
  const { action, fence, data } = got.cmd;
  const res = action === PV_CMD_BIND_GGTT ? pvGgttBind(ctx.shadow, v, v.pv, data) : { status: PV_EINVAL, reason: `unknown PV command ${action}` };
  completePvCommand(page, fence, res.status);
  if (res.reason) refusePv(v, res.reason);
}

/** handle_pv_submission for every engine whose slot has `submitted` set. */
function pvSubmission(v: Vgpu, nowNs: number, ctx: PvNotifyContext): void {
  const page = v.pv.page;
  if (!page || !v.pv.enabled(PV_SUBMISSION)) return refusePv(v, 'PV submission before a shared page was registered with PV_SUBMISSION negotiated');
  let marked = 0;
  for (const engine of ctx.engines) {
    if (!pvSubmitted(page, engine)) continue;
    marked++;
    const slot = readPvSubmission(page, engine);
    if (!slot.ok) {
      refusePv(v, slot.reason);
      continue;
    }
    if (v.failsafe) {
      refusePv(v, `${engine}: PV submission while the vGPU is in failsafe`);
      continue;
    }
    if (ctx.submit(v, engine, slot.elements, nowNs)) ackPvSubmission(page, engine);
  }
  if (marked === 0) refusePv(v, 'PV submission notified with no engine marked submitted');
}
