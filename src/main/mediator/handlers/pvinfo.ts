/**
 * The PVINFO page in the MMIO table: reads as populate_pvinfo_page filled it (pvinfo.ts); a guest
 * write stores the guest-writable fields and acts on display_ready, g2v_notify and pv_caps.
 * Source: GVT-g handlers.c (pvinfo_mmio_read, pvinfo_mmio_write, handle_g2v_notification,
 * MMIO_DH(VGT_PVINFO_PAGE, VGT_PVINFO_SIZE)), the GVT-g PV series (pv.ts).
 */
import { PVINFO, PVINFO_GUEST_WRITABLE, PVINFO_RSV5_BYTES, VGT_DRV_DISPLAY_READY } from '../../../shared/pvinfo';
import { GFX_RUN_LIST_ENABLE, VGT_PVINFO_PAGE, VGT_PVINFO_SIZE } from '../../../shared/regs';
import { ENGINES } from '../engines';
import type { Gvt } from '../gvt';
import type { MmioTable } from '../mmio-info';
import { handlePpgttNotification } from '../ppgtt-context';
import { type PvNotifyContext, handlePvNotification, refusePv } from '../pv-notify';
import { pvinfoRead } from '../pvinfo';
import type { Vgpu } from '../vgpu';

/** PVINFO_GUEST_WRITABLE as a set: g2v_notify is written at every PV submission. */
const GUEST_WRITABLE: ReadonlySet<number> = new Set(PVINFO_GUEST_WRITABLE);

/**
 * pvinfo_mmio_write: the listed fields are stored (and display_ready / g2v_notify / pv_caps acted
 * on); a write to rsv5 means the guest found its resources insufficient
 * (GVT_FAILSAFE_INSUFFICIENT_RESOURCE: failsafe); any other offset is an "invalid pvinfo write",
 * logged and ignored (the page keeps its value).
 */
function pvinfoMmioWrite(gvt: Gvt, v: Vgpu, offset: number, value: number, nowNs: number): void {
  const rel = offset - VGT_PVINFO_PAGE;
  if (!GUEST_WRITABLE.has(rel)) {
    if (rel >= PVINFO.rsv5 && rel < PVINFO.rsv5 + PVINFO_RSV5_BYTES) {
      gvt.enterFailsafe(v, `PVINFO: write 0x${value.toString(16)} to rsv5 at offset 0x${rel.toString(16)}: graphics resource is not enough for the guest`);
    } else {
      v.note(`PVINFO: invalid pvinfo write offset 0x${rel.toString(16)} data 0x${value.toString(16)}, ignored`);
    }
    return;
  }
  if (rel === PVINFO.pv_caps) return v.pv.writeCaps(value);
  v.pvinfoWritten.set(rel, value);
  if (rel === PVINFO.display_ready && value === VGT_DRV_DISPLAY_READY && gvt.displayOwner.bootForeground.has(v.domid)) gvt.displayOwner.setForeground(v.domid);
  if (rel === PVINFO.g2v_notify) handleG2vNotification(gvt, v, value, nowNs);
}

/** handle_g2v_notification: GVT-g's PPGTT notifications (ppgtt-context.ts), then the PV ones (pv-notify.ts). */
function handleG2vNotification(gvt: Gvt, v: Vgpu, notification: number, nowNs: number): void {
  if (handlePpgttNotification(v, notification)) return;
  if (!handlePvNotification(v, notification, nowNs, gvt.pvContext)) v.note(`PVINFO: g2v notification ${notification} ignored`);
}

/** What pv-notify.ts may do to a vGPU: submit through the ELSP path, mirror PVMMIO (made once per GVT). */
export function pvNotifyContext(gvt: Gvt): PvNotifyContext {
  return {
    shadow: gvt.shadowGgtt,
    engines: ENGINES,
    submit: (v, engine, elements, nowNs) => {
      if ((v.execlists[engine].gfxMode & GFX_RUN_LIST_ENABLE) === 0) {
        refusePv(v, `${engine}: PV submission with execlists disabled (GFX_MODE)`);
        return false;
      }
      return gvt.submission.submitExeclist(v, engine, elements, nowNs, true);
    },
    registered: (v) => gvt.irq.syncPvmmio(v),
  };
}

/** The PVINFO page (part of intel_gvt_setup_mmio_info). */
export function registerPvinfoMmio(t: MmioTable): void {
  t.add({ offset: VGT_PVINFO_PAGE, name: 'VGT_PVINFO_PAGE', size: VGT_PVINFO_SIZE, read: (_, v, offset) => pvinfoRead(v, offset - VGT_PVINFO_PAGE), write: pvinfoMmioWrite });
}
