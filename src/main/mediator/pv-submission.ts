/**
 * PV workload submission, GVT side: instead of four trapped ELSP writes the guest puts an engine's
 * two context descriptors into that engine's slot of the shared page, sets `submitted` and sends
 * one VGT_G2V_PV_SUBMISSION. GVT reads the slot, checks it as upstream does (element 0 valid, every
 * valid element a GGTT "privileged" context), submits it through the same path as an ELSP write,
 * and acks by clearing `submitted` (the ack Chris Wilson asked for in review of the 2019 v5
 * "vgpu context submission pv optimization"; the later pv_submit polls for it).
 * Source: "drm/i915/gvt: GVTg support pv workload submssion" (handle_pv_submission) and
 * intel_pv_submission.c (pv_submit).
 */
import { GEN8_CTX_PRIVILEGE, GEN8_CTX_VALID } from '../../shared/execlist';
import { PV_ENGINE_INDEX, PV_PAGE, PV_SLOT } from '../../shared/pvinfo';
import type { EngineId } from '../gpu/engine';

/** An engine's slot: its ELSP elements as [lo, hi] (element 0 first), or why it is refused. */
export type PvSlotRead = { ok: true; elements: [number, number][] } | { ok: false; reason: string };

const slotBase = (engine: EngineId): number => (PV_PAGE.elsp + PV_ENGINE_INDEX[engine] * PV_PAGE.elspStride) / 4;

/** True when the guest has set `submitted` in `engine`'s slot of shared page `page`. */
export function pvSubmitted(page: Uint32Array, engine: EngineId): boolean {
  return page[slotBase(engine) + PV_SLOT.submitted / 4] !== 0;
}

/** handle_pv_submission's read and checks of `engine`'s slot (the descriptors are copied out first). */
export function readPvSubmission(page: Uint32Array, engine: EngineId): PvSlotRead {
  const b = slotBase(engine);
  const elements: [number, number][] = [
    [page[b + PV_SLOT.desc0 / 4], page[b + PV_SLOT.desc0 / 4 + 1]],
    [page[b + PV_SLOT.desc1 / 4], page[b + PV_SLOT.desc1 / 4 + 1]],
  ];
  // Formatted only for a refusal: this runs once per submission.
  const hex = (): string => elements.map(([lo, hi]) => `${hi.toString(16).padStart(8, '0')} ${lo.toString(16).padStart(8, '0')}`).join(', ');
  if (!(elements[0][0] & GEN8_CTX_VALID)) return { ok: false, reason: `${engine}: invalid PV submission, desc0 is invalid (descriptors ${hex()})` };
  for (const [lo] of elements) {
    if (lo & GEN8_CTX_VALID && !(lo & GEN8_CTX_PRIVILEGE)) return { ok: false, reason: `${engine}: unexpected non-GGTT (PPGTT) context in PV submission (descriptors ${hex()})` };
  }
  return { ok: true, elements };
}

/** The ack: clear `submitted` once the elements were taken. */
export function ackPvSubmission(page: Uint32Array, engine: EngineId): void {
  page[slotBase(engine) + PV_SLOT.submitted / 4] = 0;
}
