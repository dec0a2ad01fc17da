/**
 * RING_HWS_PGA in the MMIO table as GVT-g's hws_pga_write (handlers.c): 0 is accepted, an address
 * outside the vGPU's GM is refused and logged, a valid one is kept per engine (hws_pga[]) and is
 * the page the scanner relocates Store Data Index post-sync writes into.
 */
import { describe, expect, it } from 'vitest';
import { addVm, directPort, rig } from '../helpers/system';
import { MI_FLUSH_DW, MI_NOOP } from '../../../src/shared/commands';
import { BLT_RING_BASE, GTT_OFFSET, RENDER_RING_BASE, RING_CTL, RING_CTL_SIZE, RING_CTL_VALID, RING_HWS_PGA, RING_START, RING_TAIL } from '../../../src/shared/regs';

const BLT_HWS_PGA = BLT_RING_BASE + RING_HWS_PGA;
const RENDER_HWS_PGA = RENDER_RING_BASE + RING_HWS_PGA;

function setup() {
  const r = rig();
  const a = addVm(r, 1, { lowMiB: 64, highMiB: 64 });
  const b = addVm(r, 2, { lowMiB: 64, highMiB: 64 });
  return { r, v: a.v, ram: new Uint32Array(a.ram), p: directPort(r, a.v), other: b.v };
}

describe('RING_HWS_PGA (GVT-g handlers.c hws_pga_write)', () => {
  it('hws_pga_write: a GGTT address outside the vGPU GM is refused — vreg and hws_pga unchanged, the note names register, engine and value', () => {
    const { v, p, other } = setup();
    const good = v.alloc.lowGm.base + 0x7000;
    p.write32(BLT_HWS_PGA, good);
    const hostile = [
      other.alloc.lowGm.base, // another VM's aperture
      other.alloc.highGm.base + 0x3000, // another VM's hidden GM
      0x1000, // the host's GM
      v.alloc.lowGm.base + v.alloc.lowGm.size - 0x800, // a page straddling the end of its own aperture
    ];
    for (const value of hostile) {
      p.write32(BLT_HWS_PGA, value);
      expect(p.read32(BLT_HWS_PGA)).toBe(good);
      expect(v.hwsPga.bcs).toBe(good);
      expect(v.log.at(-1)).toBe(`write invalid HWSP address, reg:0x22080 (BLT_HWS_PGA, bcs), value:0x${value.toString(16)}: not a page of the vGPU's graphics memory; ignored`);
    }
    // Not untracked any more: the refusal is the only line per write.
    expect(v.log.filter((l) => l.includes('untracked'))).toEqual([]);
  });

  it('hws_pga_write: 0 is accepted (i915 zeroes the HWSP address while resetting an engine)', () => {
    const { v, p } = setup();
    p.write32(RENDER_HWS_PGA, v.alloc.highGm.base);
    const lines = v.log.length;
    p.write32(RENDER_HWS_PGA, 0);
    expect(p.read32(RENDER_HWS_PGA)).toBe(0);
    expect(v.hwsPga.rcs).toBe(0);
    expect(v.log.length).toBe(lines);
  });

  it('hws_pga_write: a valid address is stored per engine and Store Data Index relocates into the stored page (cmd_address_audit + patch_value)', () => {
    const { r, v, ram, p } = setup();
    const gm = v.alloc.lowGm.base;
    // GM pages 0..15 of the aperture -> guest RAM pages 1..16.
    for (let i = 0; i < 16; i++) p.write64(GTT_OFFSET + (gm / 4096 + i) * 8, (i + 1) * 4096 + 1, 0);
    p.write32(RENDER_HWS_PGA, gm + 0x3000);
    p.write32(BLT_HWS_PGA, gm + 0x7000);
    expect([v.hwsPga.rcs, v.hwsPga.bcs]).toEqual([gm + 0x3000, gm + 0x7000]);
    // vreg is not what the scanner trusts: a value only the handler may store.
    v.vreg[BLT_HWS_PGA >>> 2] = gm + 0x5000;
    // Legacy BCS ring at GM page 0 (RAM page 1): MI_FLUSH_DW, post-sync immediate write, Store Data Index at HWSP offset 0x40.
    p.write32(BLT_RING_BASE + RING_START, gm);
    p.write32(BLT_RING_BASE + RING_CTL, RING_CTL_SIZE(4096) | RING_CTL_VALID);
    const cmd = [(MI_FLUSH_DW | (1 << 14) | (1 << 21)) >>> 0, 0x40 | (1 << 2), 0, 0x5eed, 0, MI_NOOP];
    cmd.forEach((d, i) => (ram[1024 + i] = d));
    p.write32(BLT_RING_BASE + RING_TAIL, cmd.length * 4);
    r.m.submission.tick(1e6);
    expect(v.failsafe).toBeNull();
    // HWSP GM 0x7000 is RAM page 8; nothing went to the page vreg was poked to (RAM page 6).
    expect(ram[(8 * 4096 + 0x40) / 4]).toBe(0x5eed);
    expect(ram[(6 * 4096 + 0x40) / 4]).toBe(0);
  });
});
