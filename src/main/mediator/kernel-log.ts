/**
 * Dom0's kernel log as far as the mediator writes to it: a bounded ring of printk lines with the
 * kernel's timestamp prefix (`[%5lu.%06lu] `, kernel/printk/printk.c print_time()), seconds of
 * emulated time since the GPU came up. Lines follow GVT-g's prefixes (drivers/gpu/drm/i915/gvt/
 * debug.h): `gvt: core: …` for the device and vGPU life cycle, `gvt: vgpu N: …` (gvt_vgpu_err)
 * for what one vGPU did, so `dmesg | grep -i gvt` finds them. Pure: time comes in as an argument.
 */

/** Lines kept; the oldest go first (the kernel's log buffer is a ring too). */
export const KERNEL_LOG_LINES = 2000;
/** Longest line kept, characters (printk's LOG_LINE_MAX is 1024 - 32). */
const MAX_LINE = 992;

export class KernelLog {
  private readonly ring: string[] = [];

  /** Log `text` (one line) at emulated time `nowNs`. */
  printk(nowNs: number, text: string): void {
    const us = Math.floor(Math.max(0, nowNs) / 1000);
    const stamp = `[${String(Math.floor(us / 1e6)).padStart(5)}.${String(us % 1e6).padStart(6, '0')}]`;
    this.ring.push(`${stamp} ${text.length > MAX_LINE ? text.slice(0, MAX_LINE) : text}`);
    if (this.ring.length > KERNEL_LOG_LINES) this.ring.splice(0, this.ring.length - KERNEL_LOG_LINES);
  }

  /** The lines, oldest first. */
  lines(): string[] {
    return [...this.ring];
  }
}
