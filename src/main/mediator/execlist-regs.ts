/**
 * Which trapped offsets belong to a vGPU's virtual execlist port, and what reading them returns.
 * Source: GVT-g handlers.c (elsp_mmio_write, ring_mode_mmio_write) and execlist.c (virtual CSB).
 */
import { RING_CONTEXT_STATUS_BUF_LO, RING_CONTEXT_STATUS_PTR, RING_MODE_GEN7 } from '../../shared/regs';
import type { EngineId } from '../gpu/engine';
import { ExeclistPort } from '../gpu/execlist';
import { ENGINE_BASE } from '../gpu/gpu';
import type { VirtualExeclist } from './vgpu';

/** The engine and engine-relative offset of an execlist register, or undefined. */
export function execlistRegister(offset: number): { engine: EngineId; rel: number } | undefined {
  for (const engine of ['rcs', 'bcs'] as const) {
    const rel = offset - ENGINE_BASE[engine];
    if (ExeclistPort.owns(rel)) return { engine, rel };
  }
  return undefined;
}

/** A guest read of a virtual execlist register (ELSP and EXECLIST_STATUS read as 0: idle). */
export function virtualExeclistRead(ve: VirtualExeclist, rel: number): number {
  if (rel === RING_MODE_GEN7) return ve.gfxMode;
  if (rel === RING_CONTEXT_STATUS_PTR) return ve.csb.ptrRegister;
  if (rel >= RING_CONTEXT_STATUS_BUF_LO(0)) return ve.csb.readEntry(rel - RING_CONTEXT_STATUS_BUF_LO(0));
  return 0;
}
