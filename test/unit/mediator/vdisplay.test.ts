import { describe, expect, it } from 'vitest';
import { directPort, rig } from '../helpers/system';
import {
  DP_AUX_CH_CTL,
  DP_AUX_CH_CTL_DONE,
  DP_AUX_CH_CTL_SEND_BUSY,
  DP_AUX_CH_CTL_TIME_OUT_ERROR,
  DP_AUX_CH_DATA,
  GMBUS_CYCLE_INDEX,
  GMBUS_CYCLE_STOP,
  GMBUS_CYCLE_WAIT,
  GMBUS_HW_RDY,
  GMBUS_HW_WAIT_PHASE,
  GMBUS_SATOER,
  GMBUS_SW_RDY,
  PCH_GMBUS0,
  PCH_GMBUS1,
  PCH_GMBUS2,
  PCH_GMBUS3,
  DPCD_FIX_DATA,
  DP_AUX_CH_CTL_DONE as DONE,
  PCH_PORT_HOTPLUG,
  PORT_TYPES,
  GMBUS_PIN_VGADDC,
  GMBUS_PIN_DPB,
} from '../../../src/shared/ports';
import type { VirtualPort } from '../../../src/main/mediator/vdisplay';
import { GEN8_DE_PORT_IIR, GEN8_DE_PORT_ISR, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL, SDEIER, SDEIIR, SDEIMR, SDEISR } from '../../../src/shared/regs';

// The seeds' ASUS PA238 (examples/monitor.config).
const PA238 = Uint8Array.from(
  '00ffffffffffff000469b1232df800000f16010381331d782a5ea5a2554da026115054bfef00d1c095008140818081c0950fb300714f023a801871382d40582c4500fd1e1100001e000000ff0043344c4d54463036333533330a000000fd00324b185311000a202020202020000000fc00415355532050413233380a202000e0'.match(/../g)!.map((h) => parseInt(h, 16)),
);

function setup(ports: VirtualPort[] = [{ name: 'PORT_E', type: PORT_TYPES.CRT, overridePort: 'PORT_B', edid: PA238, connected: true }]) {
  const r = rig();
  const ram = new SharedArrayBuffer(16 << 20);
  const v = r.m.createVgpu({ domid: 1, name: 'vm1', lowGmBytes: 64 << 20, highGmBytes: 64 << 20, fences: 2, ram, bootForeground: false, ports });
  return { r, v, p: directPort(r, v) };
}

/** Read `n` EDID bytes over GMBUS from `pin` the way i915's gmbus_xfer_index_read does. */
function gmbusRead(p: ReturnType<typeof directPort>, pin: number, n = 128): { bytes: number[]; nak: boolean } {
  p.write32(PCH_GMBUS0, pin);
  p.write32(PCH_GMBUS1, GMBUS_SW_RDY | GMBUS_CYCLE_INDEX | GMBUS_CYCLE_WAIT | (n << 16) | (0 << 8) | (0x50 << 1) | 1);
  const bytes: number[] = [];
  for (let i = 0; i < n; i += 4) {
    const st = p.read32(PCH_GMBUS2);
    if (st & GMBUS_SATOER) return { bytes, nak: true };
    expect(st & GMBUS_HW_RDY).toBeTruthy();
    const d = p.read32(PCH_GMBUS3);
    for (let k = 0; k < 4 && bytes.length < n; k++) bytes.push((d >>> (8 * k)) & 0xff);
  }
  expect(p.read32(PCH_GMBUS2) & GMBUS_HW_WAIT_PHASE).toBeTruthy();
  p.write32(PCH_GMBUS1, GMBUS_SW_RDY | GMBUS_CYCLE_STOP);
  p.write32(PCH_GMBUS0, 0);
  return { bytes, nak: false };
}

function aux(p: ReturnType<typeof directPort>, ch: number, msg: number[]): { ctl: number; reply: number[] } {
  const words = [0, 0, 0, 0, 0];
  msg.forEach((b, i) => (words[i >> 2] |= b << (24 - 8 * (i & 3))));
  words.forEach((w, i) => p.write32(DP_AUX_CH_DATA(ch, i), w >>> 0));
  p.write32(DP_AUX_CH_CTL(ch), DP_AUX_CH_CTL_SEND_BUSY | (msg.length << 20));
  const ctl = p.read32(DP_AUX_CH_CTL(ch));
  const size = (ctl >>> 20) & 0x1f;
  const reply: number[] = [];
  for (let i = 0; i < size; i++) reply.push((p.read32(DP_AUX_CH_DATA(ch, i >> 2)) >>> (24 - 8 * (i & 3))) & 0xff);
  return { ctl, reply };
}

describe('virtual display ports', () => {
  it('a VGA port answers a GMBUS EDID read with its monitor; an empty bus NAKs', () => {
    const { p } = setup();
    expect(gmbusRead(p, GMBUS_PIN_VGADDC)).toEqual({ bytes: [...PA238], nak: false });
    expect(gmbusRead(p, GMBUS_PIN_DPB).nak).toBe(true);
  });

  it('a DP port answers native DPCD reads and I2C-over-AUX EDID reads; other channels time out', () => {
    const { p } = setup([{ name: 'PORT_C', type: PORT_TYPES.DP_C, overridePort: null, edid: PA238, connected: true }]);
    const dpcd = aux(p, 2, [0x90, 0x00, 0x00, 0x02]); // native read 3 bytes at 0x000
    expect(dpcd.ctl & DP_AUX_CH_CTL_DONE).toBeTruthy();
    expect(dpcd.reply).toEqual([0x00, 0x12, 0x14, 0x84]);
    expect(aux(p, 2, [0x40, 0x00, 0x50, 0x00, 0x00]).reply).toEqual([0]); // I2C write (MOT) offset 0
    const edid: number[] = [];
    for (let off = 0; off < 128; off += 16) edid.push(...aux(p, 2, [0x50, 0x00, 0x50, 15]).reply.slice(1));
    expect(edid).toEqual([...PA238]);
    expect(aux(p, 1, [0x90, 0, 0, 0]).ctl & DP_AUX_CH_CTL_TIME_OUT_ERROR).toBeTruthy();
  });

  it('hotplug sets the live status, the long-pulse status and raises SDEIIR with an MSI', () => {
    const { r, v, p } = setup();
    p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
    p.write32(SDEIMR, ~(1 << 25) >>> 0);
    p.write32(SDEIER, 1 << 25);
    expect(p.read32(SDEISR)).toBe(1 << 25);
    r.m.hotplug(1, 'PORT_E', false);
    expect(p.read32(SDEISR)).toBe(0);
    expect(p.read32(SDEIIR)).toBe(1 << 25);
    expect(r.msis.get(1)).toBe(1);
    expect(gmbusRead(p, GMBUS_PIN_VGADDC).nak).toBe(true);
    // Port E's long-pulse status is in PCH_PORT_HOTPLUG2; writing it back clears it.
    expect(p.read32(0xc403c) & 2).toBe(2);
    p.write32(0xc403c, 2);
    expect(p.read32(0xc403c) & 2).toBe(0);
    r.m.hotplug(1, 'PORT_E', true, PA238);
    expect(p.read32(SDEISR)).toBe(1 << 25);
    expect(v.log.filter((l) => l.startsWith('hotplug'))).toEqual(['hotplug: PORT_E disconnected', 'hotplug: PORT_E connected']);
    expect(p.read32(PCH_PORT_HOTPLUG)).toBe(0);
  });

  const dpC = (): VirtualPort[] => [{ name: 'PORT_C', type: PORT_TYPES.DP_C, overridePort: null, edid: PA238, connected: true }];
  /** A native AUX read of `n` bytes at `addr` on channel C (payload only). */
  const dpcdRead = (p: ReturnType<typeof directPort>, addr: number, n: number): number[] => aux(p, 2, [0x90 | (addr >> 16), (addr >> 8) & 0xff, addr & 0xff, n - 1]).reply.slice(1);
  const dpcdWrite = (p: ReturnType<typeof directPort>, addr: number, bytes: number[]) => aux(p, 2, [0x80 | (addr >> 16), (addr >> 8) & 0xff, addr & 0xff, bytes.length - 1, ...bytes]);

  it('DPCD as GVT-g setup_virtual_dp_monitor fills it: dpcd_fix_data in 0x000-0x00a, DP_SINK_COUNT 1, zeros elsewhere', () => {
    const { p } = setup(dpC());
    expect(dpcdRead(p, 0x000, 11)).toEqual([...DPCD_FIX_DATA]);
    expect(DPCD_FIX_DATA).toEqual([0x12, 0x14, 0x84, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(dpcdRead(p, 0x200, 1)).toEqual([1]);
    expect(dpcdRead(p, 0x202, 4)).toEqual([0, 0, 0, 0]);
  });

  it('native AUX writes are stored (dp_aux_ch_ctl_mmio_write); past DPCD_SIZE a write is NAKed and a read gives zeros', () => {
    const { p } = setup(dpC());
    const w = dpcdWrite(p, 0x100, [0x14, 0x84]); // DP_LINK_BW_SET, DP_LANE_COUNT_SET
    expect(w.ctl & DONE).toBeTruthy();
    expect(w.reply).toEqual([0x00]);
    expect(dpcdRead(p, 0x100, 2)).toEqual([0x14, 0x84]);
    expect(dpcdWrite(p, 0x6ff, [1]).reply).toEqual([0x10]); // AUX_NATIVE_REPLY_NAK
    expect(dpcdRead(p, 0x6ff, 2)).toEqual([0, 0]);
  });

  it('emulates DP link training (dp_aux_ch_ctl_link_training): TRAINING_PATTERN_SET writes show in 0x202-0x205', () => {
    const { p } = setup(dpC());
    dpcdWrite(p, 0x102, [0x21]); // training pattern 1, scrambling disabled
    expect(dpcdRead(p, 0x102, 1)).toEqual([0x21]);
    expect(dpcdRead(p, 0x202, 4)).toEqual([0x11, 0x11, 0x00, 0x00]); // CR done on lanes 0-3
    dpcdWrite(p, 0x102, [0x22]); // pattern 2
    expect(dpcdRead(p, 0x202, 3)).toEqual([0x77, 0x77, 0x01]); // CR, EQ, symbol locked; interlane align
    dpcdWrite(p, 0x102, [0x00]); // training off
    expect(dpcdRead(p, 0x205, 1)).toEqual([0x03]); // DPCD_SINK_IN_SYNC
    // A write that starts before 0x102 and covers it trains too (the per-byte check in GVT-g).
    const { p: p2 } = setup(dpC());
    dpcdWrite(p2, 0x100, [0x14, 0x84, 0x21]);
    expect(dpcdRead(p2, 0x202, 2)).toEqual([0x11, 0x11]);
  });

  it('a re-plugged DP sink starts with a fresh, untrained DPCD', () => {
    const { r, p } = setup(dpC());
    dpcdWrite(p, 0x102, [0x21]);
    r.m.hotplug(1, 'PORT_C', false);
    r.m.hotplug(1, 'PORT_C', true, PA238);
    expect(dpcdRead(p, 0x202, 2)).toEqual([0, 0]);
  });

  it('port A hotplug on Skylake goes through SDE bit 24 and PCH_PORT_HOTPLUG 25:24, not the DE port bank (emulate_monitor_status_change)', () => {
    const { r, p } = setup([{ name: 'PORT_A', type: PORT_TYPES.DP_A, overridePort: null, edid: PA238, connected: true }]);
    p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
    p.write32(SDEIMR, ~(1 << 24) >>> 0);
    p.write32(SDEIER, 1 << 24);
    expect(p.read32(SDEISR)).toBe(1 << 24); // SDE_PORTA_HOTPLUG_SPT
    expect(p.read32(GEN8_DE_PORT_ISR)).toBe(0);
    r.m.hotplug(1, 'PORT_A', false);
    expect(p.read32(SDEISR)).toBe(0);
    expect(p.read32(SDEIIR)).toBe(1 << 24);
    expect(p.read32(GEN8_DE_PORT_IIR)).toBe(0);
    expect(p.read32(PCH_PORT_HOTPLUG)).toBe(2 << 24); // PORTA_HOTPLUG_LONG_DETECT
    p.write32(PCH_PORT_HOTPLUG, 2 << 24);
    expect(p.read32(PCH_PORT_HOTPLUG)).toBe(0);
  });
});
