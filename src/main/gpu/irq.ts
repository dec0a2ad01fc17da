/**
 * Gen8+ interrupt bank semantics shared by the physical GPU and the mediator's virtual interrupt
 * tree: ISR shows live status; an event latches into IIR only when its IMR bit is clear; IIR bits
 * clear when written with 1; a bank asserts toward the master when (IIR & IER) != 0.
 * Source: i915 gen8_gt_irq_handler / GEN8_IRQ_INIT_NDX; GVT-g interrupt.c.
 */
import { GEN8_GT_BCS_IRQ, GEN8_GT_RCS_IRQ } from '../../shared/regs';

export interface IrqBank {
  isr: number;
  imr: number;
  iir: number;
  ier: number;
}

export const newBank = (): IrqBank => ({ isr: 0, imr: 0xffffffff, iir: 0, ier: 0 });

/** Latch event `bits` into the bank; returns true if anything new became pending (IIR & IER). */
export function raise(bank: IrqBank, bits: number): boolean {
  const latched = bits & ~bank.imr;
  const before = bank.iir & bank.ier;
  bank.iir = (bank.iir | latched) >>> 0;
  return (bank.iir & bank.ier & ~before) !== 0;
}

/** Write-1-to-clear of IIR. */
export function ackIir(bank: IrqBank, value: number): void {
  bank.iir = (bank.iir & ~value) >>> 0;
}

export const pending = (bank: IrqBank): boolean => (bank.iir & bank.ier) !== 0;

/** GEN8_MASTER_IRQ bits for the GT0 bank: RCS half -> bit 0, BCS half -> bit 1 (see GEN8_GT_BCS_IRQ). */
export function gt0MasterBits(gt0: IrqBank): number {
  const p = gt0.iir & gt0.ier;
  return (p & 0xffff ? GEN8_GT_RCS_IRQ : 0) | (p >>> 16 ? GEN8_GT_BCS_IRQ : 0);
}

/** Register offsets of a bank laid out as ISR, IMR, IIR, IER at base + 0, 4, 8, 0xC. */
export const bankRegister = (offset: number, base: number): keyof IrqBank | undefined =>
  (['isr', 'imr', 'iir', 'ier'] as const)[(offset - base) >>> 2] as keyof IrqBank | undefined;
