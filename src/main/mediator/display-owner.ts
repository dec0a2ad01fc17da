/**
 * Display ownership: which VM's display state the physical pipes show (the foreground VM, XenGT's
 * foreground_vm; 0 is the host), with every guest surface checked against the guest's own GM before
 * it reaches a physical plane; flips, vblanks and hotplug events of the virtual display.
 * Source: XenGT vgt_switch_display_owner / hvm_boot_foreground, GVT-g display.c
 * (intel_vgpu_emulate_vblank, emulate_monitor_status_change), cmd_parser.c
 * cmd_handler_mi_display_flip.
 */
import { ApiError } from '../../shared/api';
import { PAGE_SIZE } from '../../shared/platform';
import { PVINFO, VGT_DRV_DISPLAY_READY } from '../../shared/pvinfo';
import { CUR_BASE_A, CUR_CTL_A, GEN8_PIPE_VBLANK, GEN9_PIPE_PLANE1_FLIP_DONE, MCURSOR_MODE_MASK, PIPE_COUNT, PIPE_NAMES, PLANE_CTL_1_A, PLANE_CTL_ENABLE, PLANE_STRIDE_1_A, PLANE_SURF_1_A, pipeReg } from '../../shared/regs';
import type { PortName } from '../../shared/ports';
import { CURSOR_64_BYTES } from '../gpu/scanout';
import type { FlipRequest } from './cmd-scan';
import { DISPLAY_REGS, displayRegPipe, pipeOnIn } from './display-regs';
import type { Gvt } from './gvt';
import type { Vgpu } from './vgpu';

/** Surface-address registers and the control register whose enable depends on them, every pipe. */
const CONTROL_OF: ReadonlyMap<number, number> = new Map(
  PIPE_NAMES.flatMap((_, pipe) => [
    [pipeReg(PLANE_SURF_1_A, pipe), pipeReg(PLANE_CTL_1_A, pipe)],
    [pipeReg(CUR_BASE_A, pipe), pipeReg(CUR_CTL_A, pipe)],
  ]),
);

/** What display ownership tells the host (MediatorPorts' display callbacks). */
export interface DisplayPorts {
  foregroundChanged?(domid: number): void;
  portsChanged?(vgpu: Vgpu): void;
}

export class DisplayOwner {
  /** The foreground VM's domid (0: the host's own console). */
  foregroundDomid = 0;
  /** Domains that take the display once their driver reports display_ready (hvm_boot_foreground). */
  readonly bootForeground = new Set<number>();

  /** `hostDisplay`: the host's own display registers (Dom0's console), indexed like vreg. */
  constructor(
    private readonly gvt: Gvt,
    private readonly hostDisplay: Uint32Array,
    private readonly ports: DisplayPorts,
  ) {}

  /**
   * Make `domid` the foreground VM: its display state goes to the physical pipe now.
   * Throws ApiError('not_found') for an unknown domain and ApiError('busy') (XenGT's -EAGAIN)
   * while the guest driver has not set PVINFO display_ready.
   */
  setForeground(domid: number): void {
    if (domid !== 0) {
      const v = this.gvt.vgpu(domid);
      if (!v) throw new ApiError('not_found', `no running domain with id ${domid}`);
      if (v.pvinfoWritten.get(PVINFO.display_ready) !== VGT_DRV_DISPLAY_READY) throw new ApiError('busy', `domain ${domid}'s display is not ready yet (EAGAIN)`);
    }
    this.foregroundDomid = domid;
    this.bootForeground.delete(domid);
    this.applyDisplay();
    this.ports.foregroundChanged?.(domid);
  }


  /** Copy the foreground's display registers to the physical pipe. */
  applyDisplay(): void {
    const v = this.gvt.vgpu(this.foregroundDomid);
    const src = v ? v.vreg : this.hostDisplay;
    for (const off of DISPLAY_REGS) this.gvt.gpu.mmioWrite(off, this.displayValue(v, src, off));
  }


  displayValue(v: Vgpu | undefined, src: Uint32Array, off: number): number {
    const value = src[off >>> 2];
    const pipe = displayRegPipe(off);
    if (!v || pipe === undefined) return value;
    // A guest surface or cursor image outside its own GM, or a plane on a pipe without a monitor,
    // never reaches the physical pipe.
    if (pipe > 0 && off === pipeReg(PLANE_CTL_1_A, pipe) && v.display.pipePorts()[pipe] === null) return value & ~PLANE_CTL_ENABLE;
    if (off === pipeReg(PLANE_CTL_1_A, pipe) && !v.ownsGm(src[pipeReg(PLANE_SURF_1_A, pipe) >>> 2] & ~0xfff, PAGE_SIZE)) return value & ~PLANE_CTL_ENABLE;
    if (off === pipeReg(CUR_CTL_A, pipe) && !v.ownsGm(src[pipeReg(CUR_BASE_A, pipe) >>> 2] & ~0xfff, CURSOR_64_BYTES)) return value & ~MCURSOR_MODE_MASK;
    return value;
  }


  /**
   * After a guest wrote display register `offset` (already in vreg): a plane enabled on a pipe
   * without a monitor is noted, and a foreground VM's value goes to the physical pipe (checked).
   */
  written(v: Vgpu, offset: number, value: number): void {
    const pipe = displayRegPipe(offset);
    if (pipe && offset === pipeReg(PLANE_CTL_1_A, pipe) && value & PLANE_CTL_ENABLE && v.display.pipePorts()[pipe] === null) {
      // Contained, not fatal: the plane stays in vreg (the guest reads back what it wrote) but no
      // physical pipe shows it. Pipes B and C only: pipe A is shown as before (GVT-g's
      // emulate_monitor_status_change keeps TRANSCONF_A enabled whatever the monitors).
      v.note(`display: PLANE_CTL_1_${PIPE_NAMES[pipe]} enabled on pipe ${PIPE_NAMES[pipe]}, which has no monitor; not shown`);
    }
    if (pipe !== undefined && this.foregroundDomid === v.domid) {
      // A new surface address re-checks the control register it goes with: a later bad PLANE_SURF
      // or CUR_BASE must turn the physical plane off, not slip past the check made at its CTL write.
      const ctl = CONTROL_OF.get(offset);
      if (ctl !== undefined) this.gvt.gpu.mmioWrite(ctl, this.displayValue(v, v.vreg, ctl));
      this.gvt.gpu.mmioWrite(offset, this.displayValue(v, v.vreg, offset));
    }
  }

  /**
   * MI_DISPLAY_FLIP, emulated: the vGPU's primary plane takes the new surface (and, for a
   * foreground VM, the physical plane), and the guest gets its flip-done event.
   * Source: GVT-g cmd_parser.c cmd_handler_mi_display_flip / display.c.
   */
  emulateFlip(v: Vgpu, flip: FlipRequest): void {
    // MI_DISPLAY_FLIP's plane select: 0, 1, 2 are the primary planes of pipes A, B, C.
    const pipe = flip.plane;
    if (pipe >= PIPE_COUNT) return v.note(`MI_DISPLAY_FLIP: plane ${flip.plane} is not a primary plane of pipe A..C; ignored`);
    const stride = pipeReg(PLANE_STRIDE_1_A, pipe);
    const surf = pipeReg(PLANE_SURF_1_A, pipe);
    v.vreg[stride >>> 2] = flip.pitch / 64;
    v.vreg[surf >>> 2] = flip.surf;
    if (this.foregroundDomid === v.domid) {
      this.gvt.gpu.mmioWrite(stride, flip.pitch / 64);
      this.gvt.gpu.mmioWrite(surf, flip.surf);
    }
    this.gvt.irq.raise(v, v.dePipe[pipe], GEN9_PIPE_PLANE1_FLIP_DONE);
  }


  /**
   * Raise a virtual PCH (south display) event, e.g. a port's hotplug: latched into SDEIIR when
   * unmasked, propagated to the master as the PCH bit, delivered as an MSI. Source: GVT-g
   * interrupt.c (intel_vgpu_trigger_virtual_event, gen8_check_pending_irq).
   */
  raisePchEvent(v: Vgpu, bits: number): void {
    this.gvt.irq.raise(v, v.sde, bits);
  }


  /**
   * Virtual hotplug: connect, disconnect or replace the monitor on a vGPU's virtual port; the guest
   * gets the hotplug interrupt on the PCH (SDEIIR; port A too: SDE_PORTA_HOTPLUG_SPT on Skylake,
   * GVT-g display.c emulate_monitor_status_change) and re-probes.
   * Throws ApiError('not_found') for an unknown domain and ApiError('invalid') for a fourth monitor.
   */
  hotplug(domid: number, port: PortName, connected: boolean, edid?: Uint8Array | null, type?: number, overridePort?: PortName | null): void {
    const v = this.gvt.vgpu(domid);
    if (!v) throw new ApiError('not_found', `no running domain with id ${domid}`);
    const lit = v.display.pipePorts().filter((p) => p !== null);
    if (connected && !lit.includes(port) && lit.length >= PIPE_COUNT) {
      throw new ApiError('invalid', `${port}: domain ${domid} already drives ${PIPE_COUNT} monitors (${lit.join(', ')} on pipes ${PIPE_NAMES.join(', ')}); a Skylake GPU has no fourth pipe: unplug one first`);
    }
    const ev = v.display.hotplug(port, connected, edid, type, overridePort);
    this.ports.portsChanged?.(v);
    v.note(`hotplug: ${port} ${connected ? 'connected' : 'disconnected'}`);
    this.raisePchEvent(v, ev.sdeBit);
  }


  /** Raise a virtual DE port event (e.g. DP AUX channel A done); see raisePchEvent. */
  raiseDePortEvent(v: Vgpu, bits: number): void {
    this.gvt.irq.raise(v, v.dePort, bits);
  }


  /** Start of vblank on every enabled virtual pipe (each vGPU, pipes A..C) and on the physical pipes. Source: GVT-g display.c intel_vgpu_emulate_vblank (for_each_pipe emulate_vblank_on_pipe). */
  vblank(): void {
    this.gvt.gpu.vblank();
    for (const v of this.gvt.vgpus()) {
      for (let pipe = 0; pipe < PIPE_COUNT; pipe++) if (pipeOnIn(v.vreg, pipe)) this.gvt.irq.raise(v, v.dePipe[pipe], GEN8_PIPE_VBLANK);
    }
  }

}
