/**
 * What MMIO handlers and the mediator's parts reach of each other: GVT-g's struct intel_gvt as seen
 * from a handler (`vgpu->gvt`). The Mediator implements it by composing the parts.
 */
import type { Gen9Gpu } from '../gpu/gpu';
import type { DisplayOwner } from './display-owner';
import type { ShadowGgtt } from './gtt-shadow';
import type { VirtualInterrupts } from './interrupts';
import type { PvNotifyContext } from './pv-notify';
import type { Submission } from './submission';
import type { Vgpu } from './vgpu';
import type { Watchdog } from './watchdog';

export interface Gvt {
  readonly gpu: Gen9Gpu;
  /** The physical GGTT and the scratch page refused guest PTEs point at. */
  readonly shadowGgtt: ShadowGgtt;
  /** Virtual interrupt banks, master, MSIs and the PVMMIO mirror. */
  readonly irq: VirtualInterrupts;
  /** Submission, scheduling and the physical engines' workloads. */
  readonly submission: Submission;
  /** In-flight workloads judged by engine time; hang recovery and guest resets. */
  readonly hangs: Watchdog;
  /** The foreground VM and the physical pipes. */
  readonly displayOwner: DisplayOwner;
  /** What PV notifications may do (pv-notify.ts). */
  readonly pvContext: PvNotifyContext;
  /** Every live vGPU (a list kept by the mediator: do not modify it). */
  vgpus(): readonly Vgpu[];
  /** The vGPU of domain `domid`, if any. */
  vgpu(domid: number): Vgpu | undefined;
  /** Stop executing `v`'s work after a policy violation (GVT-g enter_failsafe_mode); `reason` is for the user. */
  enterFailsafe(v: Vgpu, reason: string): void;
}
