/**
 * The MMIO info table (GVT-g handlers.c intel_gvt_setup_mmio_info / intel_vgpu_mmio_reg_rw):
 * entries' offsets and names agree with IGT's register lists (tools/registers, ../shared/testdata/regs:
 * the files the Skylake list includes, plus the platform-independent base_rings / base_interrupt),
 * and an offset with no entry goes to intel_vgpu_default_mmio_read/write (vreg, logged untracked).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MMIO_TABLE } from '../../../src/main/mediator/mmio-table';
import { addVm, rig } from '../helpers/system';

const DIR = path.resolve(__dirname, '../../../../shared/testdata/regs');

/** IGT register spec lines ('NAME', 'OFFSET', '') of MMIO registers in `files` (and the files they include). */
function igtRegs(files: string[]): Map<number, string> {
  const regs = new Map<number, string>();
  const visit = (file: string): void => {
    for (const raw of readFileSync(path.join(DIR, file), 'utf8').split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('//')) continue;
      if (!line.startsWith('(')) {
        visit(line);
        continue;
      }
      const m = /^\('([^']+)',\s*'([^']+)',\s*'([^']*)'\)/.exec(line);
      if (!m || m[3] !== '') continue; // sideband ports and MMIO bases other than 0 are not BAR0 offsets here
      if (!regs.has(Number(m[2]))) regs.set(Number(m[2]), m[1]);
    }
  };
  files.forEach(visit);
  return regs;
}

describe('MMIO info table against IGT register lists (intel_gvt_setup_mmio_info)', () => {
  const igt = igtRegs(['skylake', 'base_rings.txt', 'base_interrupt.txt']);
  const byName = new Map([...igt].map(([o, n]) => [n, o]));

  it('every entry IGT lists by offset has IGT\'s name, and every entry named like an IGT register sits at its offset', () => {
    const checked: string[] = [];
    for (const e of MMIO_TABLE.entries()) {
      const igtName = igt.get(e.offset);
      if (igtName !== undefined) {
        expect(e.name, `entry at 0x${e.offset.toString(16)}`).toBe(igtName);
        checked.push(e.name);
      }
      const igtOffset = byName.get(e.name);
      if (igtOffset !== undefined) expect(e.offset, e.name).toBe(igtOffset);
    }
    // The list really covers the table: rings, interrupts and display registers were compared.
    for (const name of ['RENDER_RING_TAIL', 'BLT_RING_HEAD', 'GEN8_MASTER_IRQ', 'GEN8_GT_IIR0', 'SDEIIR', 'TRANS_CONF_A', 'PLANE_SURF_1_B', 'CUR_BASE_C']) expect(checked).toContain(name);
  });

  it('an entry registered twice is refused (setup_mmio_info: dup mmio definition)', () => {
    const first = MMIO_TABLE.entries()[0];
    expect(() => MMIO_TABLE.add({ offset: first.offset, name: 'DUP' })).toThrow(/dup mmio definition/);
  });
});

describe('intel_vgpu_mmio_reg_rw: an offset without an entry goes to the default handler', () => {
  it('intel_vgpu_default_mmio_read/write: an unlisted offset reads back what was written, counted as untracked', () => {
    const r = rig();
    const { m } = r;
    const { v } = addVm(r, 1);
    const off = 0x4f100;
    expect(MMIO_TABLE.find(off)).toBeUndefined();
    m.mmioWrite(v, off, 0xdeadbeef, 0);
    expect(m.mmioRead(v, off)).toBe(0xdeadbeef);
    expect(v.vreg[off >>> 2]).toBe(0xdeadbeef);
    expect(v.untrackedMmio.get(off)).toEqual({ reads: 1, writes: 1 });
  });
});
