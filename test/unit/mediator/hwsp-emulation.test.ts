/**
 * HWSP emulation (VGT_CAPS_HWSP_EMULATION) as GVT-g's emulate_csb_update (execlist.c): every
 * virtual CSB entry is also written into the guest's hardware status page at
 * I915_HWS_CSB_BUF0_INDEX + 2 * write pointer, and the write pointer at I915_HWS_CSB_WRITE_INDEX,
 * only when hws_pga names a page of the vGPU's own GM.
 */
import { describe, expect, it } from 'vitest';
import { directPort, rig, type Rig } from '../helpers/system';
import { dirtyLogBytes } from '../../../src/shared/dirty-log';
import { GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { I915_HWS_CSB_BUF0_INDEX, I915_HWS_CSB_WRITE_INDEX } from '../../../src/shared/execlist';
import { MI_NOOP, MI_USER_INTERRUPT } from '../../../src/shared/commands';
import { MiB, PAGE_SIZE } from '../../../src/shared/platform';
import { BLT_RING_BASE, GEN8_CSB_ENTRIES, RING_CONTEXT_STATUS_BUF_HI, RING_CONTEXT_STATUS_BUF_LO, RING_CONTEXT_STATUS_PTR, RING_HWS_PGA } from '../../../src/shared/regs';

/**
 * A guest submitting through ELSP (no PV: PV submission has no CSB) on BCS, with a page for its
 * hardware status page (not yet programmed).
 */
function guest(r: Rig, domid: number) {
  const ram = new SharedArrayBuffer(64 * MiB);
  const dirty = new SharedArrayBuffer(dirtyLogBytes(ram.byteLength));
  const v = r.m.createVgpu({ domid, name: `vm${domid}`, lowGmBytes: 64 * MiB, highGmBytes: 64 * MiB, fences: 4, ram, dirty, bootForeground: false, pv: false });
  const port = directPort(r, v);
  const driver = new GuestDriver(port, new GuestRam(ram, dirty), () => {});
  driver.probe();
  driver.initBlitterRing();
  driver.enableInterrupts();
  // The driver programmed its own status page; back to "none" (0, as i915 writes while resetting)
  // so each test chooses. The driver then finds no CSB news in memory, which these tests do not use.
  port.write32(BLT_RING_BASE + RING_HWS_PGA, 0);
  const hwsp = driver.allocObject(PAGE_SIZE, 'aperture');
  /** One submission, completed, its interrupt handled (the CSB read pointer moves on). */
  const run = (): void => {
    driver.submit([MI_NOOP, MI_USER_INTERRUPT]);
    r.m.submission.tick((r.now.ns += 1e6));
    driver.handleInterrupt();
  };
  /** The CSB as the guest reads it through MMIO: six (status, context ID) pairs and the write pointer. */
  const csbRegs = () => ({
    entries: Array.from({ length: GEN8_CSB_ENTRIES }, (_, i) => [port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(i)), port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_HI(i))]),
    writePtr: port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR) & 7,
  });
  /** The same, from the HWSP page in guest memory. */
  const csbHwsp = () => ({
    entries: Array.from({ length: GEN8_CSB_ENTRIES }, (_, i) => [hwsp.words[I915_HWS_CSB_BUF0_INDEX + 2 * i], hwsp.words[I915_HWS_CSB_BUF0_INDEX + 2 * i + 1]]),
    writePtr: hwsp.words[I915_HWS_CSB_WRITE_INDEX],
  });
  return { v, ram: new Uint8Array(ram), port, driver, hwsp, run, csbRegs, csbHwsp };
}

describe('HWSP_EMULATION (GVT-g execlist.c emulate_csb_update)', () => {
  it('emulate_csb_update: after each submission the guest HWSP holds the CSB entries and write pointer its registers show, through wrap-around', () => {
    const r = rig();
    const a = guest(r, 1);
    a.port.write32(BLT_RING_BASE + RING_HWS_PGA, a.hwsp.gm);
    for (let i = 0; i < 5; i++) {
      a.run();
      // Two entries per submission (IDLE_TO_ACTIVE, COMPLETE|ACTIVE_TO_IDLE): 10 entries wrap the six slots.
      expect(a.csbHwsp()).toEqual(a.csbRegs());
    }
    expect(a.csbRegs().entries.every(([status]) => status !== 0)).toBe(true);
    // Nothing else on the page was touched: only dwords 0x10..0x1b and 0x1f.
    const touched = [...a.hwsp.words.keys()].filter((i) => a.hwsp.words[i] !== 0);
    expect(touched.every((i) => (i >= I915_HWS_CSB_BUF0_INDEX && i < I915_HWS_CSB_BUF0_INDEX + 12) || i === I915_HWS_CSB_WRITE_INDEX)).toBe(true);
  });

  it('emulate_csb_update: a vGPU whose hws_pga is 0 gets no HWSP writes, and another VM\'s memory stays byte-identical', () => {
    const r = rig();
    const a = guest(r, 1);
    const b = guest(r, 2);
    a.port.write32(BLT_RING_BASE + RING_HWS_PGA, a.hwsp.gm);
    b.run();
    // b never programmed RING_HWS_PGA (hws_pga 0): its CSB moved, its HWSP page did not.
    expect(b.v.hwsPga.bcs).toBe(0);
    expect(b.csbRegs().writePtr).toBe(1);
    expect(b.hwsp.words.every((w) => w === 0)).toBe(true);
    const before = b.ram.slice();
    for (let i = 0; i < 4; i++) a.run();
    expect(Buffer.compare(b.ram, before)).toBe(0);
    // Even an hws_pga naming b's page (hws_pga_write refuses it; forced here) writes nothing there.
    a.port.write32(BLT_RING_BASE + RING_HWS_PGA, b.hwsp.gm);
    expect(a.v.hwsPga.bcs).toBe(a.hwsp.gm);
    a.v.hwsPga.bcs = b.hwsp.gm;
    a.run();
    expect(Buffer.compare(b.ram, before)).toBe(0);
  });

  it('init_vgpu_execlist on engine reset: the HWSP is left alone, the next entries go to slot 0 onwards of the CSB and of the HWSP', () => {
    const r = rig();
    const a = guest(r, 1);
    a.port.write32(BLT_RING_BASE + RING_HWS_PGA, a.hwsp.gm);
    a.run();
    a.run();
    expect(a.csbHwsp().writePtr).toBe(3);
    a.driver.resetEngine();
    // init_vgpu_execlist does not write the HWSP: it still shows the last entry until the next one.
    expect(a.csbHwsp().writePtr).toBe(3);
    a.run();
    // The reset's two new entries went to slots 0 and 1 of both (the HWSP's older slots keep what they had).
    expect(a.csbRegs().writePtr).toBe(1);
    expect(a.csbHwsp().writePtr).toBe(1);
    expect(a.csbHwsp().entries.slice(0, 2)).toEqual(a.csbRegs().entries.slice(0, 2));
  });
});
