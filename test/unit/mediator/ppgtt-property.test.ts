/**
 * Property tests of the shadow PPGTT: random guest page-table edits, logged and unlogged, never make
 * the shadow differ from a from-scratch one (logged) or map anything but the VM's own RAM (unlogged).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addVm, directPort, rig } from '../helpers/system';
import { MI_USER_INTERRUPT, ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';
import { CTX_PDP0_LDW, CTX_PDP0_UDW, LRC_STATE_PN } from '../../../src/shared/execlist';
import { GEN8_PDE_PS_2M, PAGE_SIZE_2M } from '../../../src/shared/platform';
import { Ppgtt, entryAddress } from '../../../src/main/gpu/ppgtt';
import { FULL_CHECK_PERIOD, PpgttShadow } from '../../../src/main/mediator/ppgtt-shadow';
import { GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { TABLE_FIRST_FRAME } from '../../../src/main/guest/ppgtt';

/**
 * The dirty-log-guided shadow PPGTT (ppgtt-shadow.ts) against random guest page-table edits: a
 * guest (7 MiB RAM, so a 2 MiB page at 6 MiB straddles its end) edits entries of every level on
 * the walks of a few graphics addresses — at its own data and table frames, 2 MiB pages
 * (GEN8_PDE_PS_2M), frames past its RAM, the other VM's RAM and shadow pool, not-present entries —
 * between submissions of its 48-bit PPGTT context.
 */
describe('shadow PPGTT properties (dirty-log-guided re-checks)', () => {
  /** The attacker's and the victim's guests, an 8-page object, and the graphics addresses edited (slot 8: a 2 MiB-aligned one; slot 9: beyond the GM, shadowed but never accessed). */
  function ppgttRig() {
    const r = rig();
    const boot = (domid: number, ramMiB: number) => {
      const vm = addVm(r, domid, { ramMiB });
      const d = new GuestDriver(directPort(r, vm.v), new GuestRam(vm.ram, vm.dirty), () => undefined);
      d.probe();
      d.initBlitterRing();
      d.enableInterrupts();
      return { ...vm, d, t: d.ppgttTables! };
    };
    const victim = boot(1, 8);
    victim.d.allocObject(4096, 'hidden'); // the victim's shadow exists
    const g = boot(2, 7);
    const obj = g.d.allocObject(8 * 4096, 'hidden');
    const h = g.v.alloc.highGm;
    const slots = [...Array.from({ length: 8 }, (_, k) => obj.gm + k * 4096), Math.floor((h.base + h.size) / PAGE_SIZE_2M - 1) * PAGE_SIZE_2M, 2 ** 40 + 3 * 4096];
    return { r, victim, g, obj, slots };
  }
  type PpgttRig = ReturnType<typeof ppgttRig>;

  const edit = fc.record({
    kind: fc.constant('edit' as const),
    slot: fc.integer({ min: 0, max: 9 }),
    level: fc.integer({ min: 0, max: 3 }),
    target: fc.constantFrom('own', 'ownTable', 'own2M', 'outside', 'victim', 'pool'),
    k: fc.integer({ min: 0, max: 7 }),
    flags: fc.constantFrom(0, 0x3, 0x3 | GEN8_PDE_PS_2M),
    logged: fc.boolean(),
  });
  /** A PDE made a 2 MiB page (GEN8_PDE_PS_2M): the own ones at 2, 4 or 6 MiB (the last straddles the end of RAM), or outside. */
  const large = fc.record({
    kind: fc.constant('edit' as const),
    slot: fc.integer({ min: 0, max: 9 }),
    level: fc.constant(2),
    target: fc.constantFrom('own2M', 'own2M', 'outside', 'victim', 'pool'),
    k: fc.integer({ min: 0, max: 7 }),
    flags: fc.constant(0x3 | GEN8_PDE_PS_2M),
    logged: fc.boolean(),
  });
  const step = fc.oneof({ arbitrary: edit, weight: 3 }, { arbitrary: large, weight: 1 }, { arbitrary: fc.constant({ kind: 'submit' as const }), weight: 1 });

  function targetAddress(x: PpgttRig, e: { target: string; k: number }): number {
    switch (e.target) {
      case 'own':
        return (x.obj.firstFrame + e.k) * 4096;
      case 'ownTable':
        return (TABLE_FIRST_FRAME + e.k) * 4096;
      case 'own2M':
        return (1 + (e.k % 3)) * PAGE_SIZE_2M; // 2, 4 or 6 MiB (the last straddles the end of the 7 MiB RAM)
      case 'outside':
        return (0x100000 + e.k) * 4096;
      case 'victim':
        return x.victim.v.ram.base + e.k * 4096;
      default:
        return x.victim.v.ppgtt!.poolRange.base + e.k * 4096;
    }
  }

  /** The PML4 the host put in the shadow context (what the physical GPU walks). */
  function gpuRoot(x: PpgttRig): number {
    const st = x.r.m.hostGm.shadowContextGm.bcs + LRC_STATE_PN * 4096;
    return entryAddress(x.r.gpu.ggtt.read32(st + (CTX_PDP0_LDW + 1) * 4), x.r.gpu.ggtt.read32(st + (CTX_PDP0_UDW + 1) * 4));
  }

  /**
   * Every present entry of the shadow rooted at `root`, by index path: a leaf's host-physical page,
   * 'table' or 'scratch table' above. Throws when a table lies outside `pool` or an entry has the PS
   * bit (the shadow is 4 KiB pages only).
   */
  function dumpShadow(memory: PpgttRig['r']['gpu']['memory'], root: number, pool: { base: number; size: number }, scratchTable: number): Map<string, number | string> {
    const out = new Map<string, number | string>();
    const walk = (table: number, level: number, prefix: string): void => {
      if (table < pool.base || table >= pool.base + pool.size) throw new Error(`shadow table 0x${table.toString(16)} outside the vGPU's pool`);
      const region = memory.regionOf(table)!;
      const at = (table - region.base) / 4;
      for (let i = 0; i < 512; i++) {
        const lo = region.words[at + 2 * i]!;
        if ((lo & 1) === 0) continue;
        if (lo & GEN8_PDE_PS_2M) throw new Error(`shadow entry ${prefix}${i} has the PS bit`);
        const hpa = entryAddress(lo, region.words[at + 2 * i + 1]!);
        if (level === 3) out.set(prefix + i, hpa);
        else if (hpa === scratchTable) out.set(prefix + i, 'scratch table');
        else {
          out.set(prefix + i, 'table');
          walk(hpa, level + 1, `${prefix}${i}/`);
        }
      }
    };
    walk(root, 0, '');
    return out;
  }

  /** A shadow of the guest's tables as they are now, built from scratch by a second PpgttShadow (its own pool), dumped, then freed. */
  function freshShadow(x: PpgttRig): Map<string, number | string> {
    const fresh = new PpgttShadow({ id: 100, ram: x.g.v.ram, note: () => undefined }, x.r.gpu.memory, x.g.ram, x.r.m.hostGm.scratchHpa);
    const res = fresh.shadow(x.g.t.pml4);
    if (!res.ok) throw new Error(res.reason);
    const dump = dumpShadow(x.r.gpu.memory, res.mm.shadowPml4, fresh.poolRange, fresh.scratchTableHpa);
    fresh.dispose();
    return dump;
  }

  const realShadow = (x: PpgttRig): Map<string, number | string> => dumpShadow(x.r.gpu.memory, gpuRoot(x), x.g.v.ppgtt!.poolRange, x.g.v.ppgtt!.scratchTableHpa);

  function settle(x: PpgttRig): void {
    for (let t = 0; t < 4; t++) x.r.m.tick((x.r.now.ns += 1e6));
  }

  it('logged edits (written and then marked in the dirty log): after every submission the shadow equals one built from scratch, and the GPU\'s kept TLB agrees', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 14 }), (steps) => {
        const x = ppgttRig();
        for (const s of [...steps, { kind: 'submit' as const }]) {
          if (s.kind === 'edit') {
            x.g.t.setEntry(x.slots[s.slot]!, s.level, targetAddress(x, s), true, s.flags);
            continue;
          }
          x.g.d.submit([MI_USER_INTERRUPT]);
          settle(x);
          expect(x.g.v.failsafe).toBeNull();
          expect(realShadow(x)).toEqual(freshShadow(x));
          // The walker the GPU keeps for this root (TLB warm across submissions) translates as a cold walk of the fresh tables would.
          const kept = Ppgtt.forRun(x.r.gpu.memory, gpuRoot(x));
          const cold = new Ppgtt(x.r.gpu.memory, gpuRoot(x));
          for (const va of [...x.slots, x.slots[8]! + 4096, x.slots[8]! + 511 * 4096]) expect(kept.pageHpa(va / 4096)).toBe(cold.pageHpa(va / 4096));
        }
      }),
      { numRuns: 20 },
    );
  });

  it('unlogged hostile edits (bypassing the dirty log) between PPGTT blits: the other VM stays byte-identical, the stale shadow maps only the VM\'s own frames or the scratch page, and the full compare (every FULL_CHECK_PERIOD-th submission) catches up', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 14 }), (steps) => {
        const x = ppgttRig();
        const victimRam = Buffer.from(new Uint8Array(x.victim.ram));
        const victimPool = Buffer.from(x.r.gpu.memory.regionOf(x.victim.v.ppgtt!.poolRange.base)!.bytes);
        const own = x.g.v.ram;
        const scratch = x.r.m.hostGm.scratchHpa;
        // One 4 KiB row of pixels at each edited graphics address inside the GM.
        const blits = x.slots.slice(0, 9).flatMap((va) => [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (1 << 16) | 1024, va % 2 ** 32, Math.floor(va / 2 ** 32), 0xffffffff]);
        for (const s of [...steps, { kind: 'submit' as const }]) {
          if (s.kind === 'edit') {
            x.g.t.setEntry(x.slots[s.slot]!, s.level, targetAddress(x, s), s.logged, s.flags);
            continue;
          }
          x.g.d.submit([...blits, MI_USER_INTERRUPT]);
          settle(x);
          expect(Buffer.from(x.victim.ram).equals(victimRam)).toBe(true);
          expect(Buffer.from(x.r.gpu.memory.regionOf(x.victim.v.ppgtt!.poolRange.base)!.bytes).equals(victimPool)).toBe(true);
          if (x.g.v.failsafe) break;
          const foreign = [...realShadow(x)].filter(([, hpa]) => typeof hpa === 'number' && hpa !== scratch && !(hpa >= own.base && hpa + 4096 <= own.base + own.size));
          expect(foreign).toEqual([]);
        }
        // The safety net: within FULL_CHECK_PERIOD submissions every table is compared, logged or not.
        if (!x.g.v.failsafe) {
          for (let i = 0; i < FULL_CHECK_PERIOD; i++) x.g.v.ppgtt!.shadow(x.g.t.pml4);
          expect(realShadow(x)).toEqual(freshShadow(x));
        }
      }),
      { numRuns: 20 },
    );
  });
});
