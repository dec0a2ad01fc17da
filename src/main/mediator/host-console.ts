/**
 * Domain-0's own display: the host (native i915, not mediated) draws a text console into its
 * framebuffer in host-reserved aperture and programs its plane. This is what the physical pipe
 * shows while Domain-0 is the foreground VM.
 */
import { FONT_HEIGHT, drawTextRows } from '../../shared/font';
import {
  PIPECONF_A,
  PIPECONF_ENABLE,
  PIPESRC_A,
  PLANE_CTL_1_A,
  PLANE_CTL_ENABLE,
  PLANE_CTL_FORMAT_XRGB_8888,
  PLANE_SIZE_1_A,
  PLANE_STRIDE_1_A,
  PLANE_SURF_1_A,
} from '../../shared/regs';
import type { Mediator } from './mediator';

export const HOST_MODE = { width: 1024, height: 768 };

/** Redraw Domain-0's console with `lines` under a title bar carrying `clock`; programs the host plane. */
export function drawHostConsole(m: Mediator, lines: readonly string[], clock: string): void {
  const { width: w, height: h } = HOST_MODE;
  const pitch = w * 4;
  const { fbRam, fbRamOffset, fbGm } = m.hostGm;
  const words = fbRam.words.subarray(fbRamOffset >>> 2, (fbRamOffset + pitch * h) >>> 2);
  words.fill(0xff0b0d10);
  words.fill(0xff263238, 0, 40 * w);
  drawTextRows(words, w, w, h, 12, 4, 'Domain-0  host console', 0xffffffff, undefined, 2);
  drawTextRows(words, w, w, h, w - 8 * 2 * clock.length - 12, 4, clock, 0xffcfd8dc, undefined, 2);
  lines.slice(0, Math.floor((h - 56) / (FONT_HEIGHT + 2))).forEach((line, i) => drawTextRows(words, w, w, h, 12, 56 + i * (FONT_HEIGHT + 2), line, 0xffb0bec5));
  const r = m.hostDisplay;
  r[PIPESRC_A >>> 2] = ((w - 1) << 16) | (h - 1);
  r[PIPECONF_A >>> 2] = PIPECONF_ENABLE;
  r[PLANE_STRIDE_1_A >>> 2] = pitch / 64;
  r[PLANE_SIZE_1_A >>> 2] = ((h - 1) << 16) | (w - 1);
  r[PLANE_CTL_1_A >>> 2] = (PLANE_CTL_ENABLE | PLANE_CTL_FORMAT_XRGB_8888) >>> 0;
  r[PLANE_SURF_1_A >>> 2] = fbGm;
  if (m.foreground === 0) m.applyDisplay();
}
