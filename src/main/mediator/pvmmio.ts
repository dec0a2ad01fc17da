/**
 * PVMMIO: GVT mirrors the registers of PVMMIO_REGS into the shared page, so the guest reads them
 * from its own RAM instead of trapping; the mediator calls `syncPvmmio` after everything that can
 * change one of them (a trapped write, a virtual interrupt, a ring head moving, an engine reset).
 * Writes (IIR acks, master enable) keep trapping, so GVT still sees every state change the guest
 * makes. After AcrnGT's PVMMIO (i915.enable_pvmmio, PVMMIO_MASTER_IRQ); the register set is ours.
 */
import { PVMMIO_REGS, PV_PAGE } from '../../shared/pvinfo';

const BASE = PV_PAGE.pvmmio / 4;

/**
 * Write the current value of every PVMMIO register into shared page `page`; `sources[i]` returns
 * what a trapped read of PVMMIO_REGS[i] would (made once per vGPU by `pvmmioSources`).
 */
export function syncPvmmio(page: Uint32Array, sources: readonly (() => number)[]): void {
  for (let i = 0; i < sources.length; i++) page[BASE + i] = sources[i]() >>> 0;
}

/** One reader per PVMMIO register, in slot order, from `read(offset)` (called once; the readers are reused). */
export function pvmmioSources(read: (offset: number) => () => number): (() => number)[] {
  return PVMMIO_REGS.map(read);
}
