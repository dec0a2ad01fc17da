/** The engines the mediator multiplexes and where each one's interrupts sit in the GT0 bank. Source: i915 GEN8_RCS_IRQ_SHIFT / GEN8_BCS_IRQ_SHIFT. */
import { GEN8_BCS_IRQ_SHIFT, GEN8_RCS_IRQ_SHIFT } from '../../shared/regs';
import type { EngineId } from '../gpu/engine';

export const ENGINES: readonly EngineId[] = ['rcs', 'bcs'];
export const ENGINE_IRQ_SHIFT: Record<EngineId, number> = { rcs: GEN8_RCS_IRQ_SHIFT, bcs: GEN8_BCS_IRQ_SHIFT };
