/**
 * GVT's side of the PV command transport buffer (CTB): a ring of dwords in the shared page that the
 * guest fills (header, fence, data) and announces with VGT_G2V_PV_SEND_TRIGGER; GVT consumes one
 * message per notification, then writes head, fence and status back into the descriptor, which the
 * guest polls. Everything in the descriptor is guest-written and checked before use: the ring must
 * lie inside the page, head/tail inside the ring, a message inside what was written. Upstream only
 * GEM_BUG_ON'd some of it. Source: "drm/i915/gvt: GVTg support vgpu pv CTB protocol"
 * (fetch_pv_command_buffer, pv_command_buffer_read); layout from "drm/i915: vgpu pv command buffer
 * transport protocol" (struct vgpu_pv_ct_buffer_desc, PV_CT_MSG_*).
 */
import { PAGE_SIZE } from '../../shared/platform';
import { PV_CTB_DESC, PV_CT_MSG_ACTION_SHIFT, PV_CT_MSG_LEN_MASK, PV_ENODATA, PV_EPROTO, PV_PAGE } from '../../shared/pvinfo';

/** One guest message: its action code, its fence and its data dwords (a copy: the guest may change the page afterwards). */
export interface PvCommand {
  action: number;
  fence: number;
  data: Uint32Array;
}

export type CtbFetch = { ok: true; cmd: PvCommand } | { ok: false; status: number; reason: string };

const DESC = PV_PAGE.ctbDesc / 4;
const field = (name: keyof typeof PV_CTB_DESC): number => DESC + PV_CTB_DESC[name] / 4;

/**
 * fetch_pv_command_buffer: take the next message out of the CTB of shared page `page` (1024
 * dwords) and advance the descriptor's head past it. A malformed descriptor or message empties the
 * ring (head = tail, our choice, so garbage cannot wedge it) and returns the status to report.
 */
export function fetchPvCommand(page: Uint32Array): CtbFetch {
  const addr = page[field('addr')];
  const size = page[field('size')];
  const head = page[field('head')];
  const tail = page[field('tail')];
  if (addr % 4 || size % 4 || size < 8 || addr + size > PAGE_SIZE || addr < PV_PAGE.ctbDesc + 0x18) {
    return { ok: false, status: PV_EPROTO, reason: `CTB ring at 0x${addr.toString(16)}+${size} is not inside the shared page after the descriptor` };
  }
  if (head % 4 || tail % 4 || head >= size || tail >= size) {
    page[field('head')] = tail % 4 || tail >= size ? 0 : tail;
    return { ok: false, status: PV_EPROTO, reason: `CTB head 0x${head.toString(16)} / tail 0x${tail.toString(16)} outside the ${size} B ring` };
  }
  if (head === tail) return { ok: false, status: PV_ENODATA, reason: 'PV_SEND_TRIGGER with an empty command buffer' };
  const ring = addr / 4;
  const dwords = size / 4;
  const used = ((tail - head) / 4 + dwords) % dwords;
  const at = (i: number): number => page[ring + ((head / 4 + i) % dwords)];
  const header = at(0);
  const len = header & PV_CT_MSG_LEN_MASK;
  if (len < 1 || len + 1 > used) {
    page[field('head')] = tail;
    return { ok: false, status: PV_EPROTO, reason: `CTB message of ${len} dwords (header 0x${header.toString(16)}) does not fit the ${used} dwords written` };
  }
  const data = new Uint32Array(len - 1);
  for (let i = 0; i < data.length; i++) data[i] = at(2 + i);
  page[field('head')] = ((head / 4 + len + 1) % dwords) * 4;
  return { ok: true, cmd: { action: header >>> PV_CT_MSG_ACTION_SHIFT, fence: at(1), data } };
}

/** The descriptor write-back of pv_command_buffer_read: the message's fence and the status of handling it. */
export function completePvCommand(page: Uint32Array, fence: number, status: number): void {
  page[field('fence')] = fence >>> 0;
  page[field('status')] = status >>> 0;
}
