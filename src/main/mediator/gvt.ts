/**
 * What MMIO handlers and the mediator's parts reach of each other: GVT-g's struct intel_gvt as seen
 * from a handler (`vgpu->gvt`). The Mediator implements it by composing the parts.
 */
import type { Gen9Gpu } from '../gpu/gpu';
import type { VirtualInterrupts } from './interrupts';
import type { Vgpu } from './vgpu';

export interface Gvt {
  readonly gpu: Gen9Gpu;
  /** Virtual interrupt banks, master, MSIs and the PVMMIO mirror. */
  readonly irq: VirtualInterrupts;
  /** Stop executing `v`'s work after a policy violation (GVT-g enter_failsafe_mode); `reason` is for the user. */
  enterFailsafe(v: Vgpu, reason: string): void;
}
