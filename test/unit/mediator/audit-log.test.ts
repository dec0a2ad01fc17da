import { describe, expect, it } from 'vitest';
import { AUDIT_LINE_MAX, AUDIT_LOG_LINES, AuditLog } from '../../../src/main/mediator/audit-log';
import { gmInUseBytes, gpuStats, vgpuLog } from '../../../src/main/mediator/vgpu-stats';
import { sysfsRead } from '../../../src/main/mediator/sysfs';
import { GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { runHostile } from '../../../src/main/guest/workloads/hostile';
import { GEN6_GDRST, GEN6_GRDOM_BLT, GTT_OFFSET } from '../../../src/shared/regs';
import { addVm, directPort, rig } from '../helpers/system';

describe('AuditLog', () => {
  it('keeps the newest AUDIT_LOG_LINES lines, numbered on, each cut to AUDIT_LINE_MAX characters', () => {
    const log = new AuditLog();
    for (let i = 0; i < AUDIT_LOG_LINES + 50; i++) log.push(i * 1000, `line ${i}`);
    log.push(1e9, 'x'.repeat(5000));
    expect(log.texts()).toHaveLength(AUDIT_LOG_LINES);
    expect(log.first).toBe(51);
    expect(log.next).toBe(AUDIT_LOG_LINES + 51);
    expect(log.since(0)[0]).toEqual({ seq: 51, atNs: 51000, text: 'line 51' });
    expect(log.since(log.next - 2).map((l) => l.seq)).toEqual([AUDIT_LOG_LINES + 49, AUDIT_LOG_LINES + 50]);
    expect(log.since(log.next)).toEqual([]);
    expect(log.since(log.next + 10)).toEqual([]);
    expect(log.texts().at(-1)).toHaveLength(AUDIT_LINE_MAX);
  });

  it('an empty log: first = next = 0', () => {
    const log = new AuditLog();
    expect([log.first, log.next, log.since(0)]).toEqual([0, 0, []]);
  });
});

describe('hangs and resets reach vm<domid>/log and the counters (i915 hangcheck / GVT-g intel_gvt_reset_vgpu_locked)', () => {
  it('a self-looping batch: the watchdog’s engine reset is a hang, time-stamped in the log, kept as the last reset', () => {
    const r = rig();
    const h = addVm(r, 7, { lowMiB: 64, highMiB: 128 });
    const d = new GuestDriver(directPort(r, h.v), new GuestRam(h.ram, h.dirty), () => undefined);
    d.probe();
    d.initBlitterRing();
    r.now.ns = 5e6;
    runHostile('batch-loop', d, directPort(r, h.v));
    for (let t = 0; t < 400; t++) r.m.tick(5e6 + t * 1e6);
    expect(h.v.stats).toMatchObject({ hangs: 1, resets: 1 });
    expect(h.v.lastReset).toMatchObject({ kind: 'hang', reason: expect.stringMatching(/^engine reset: bcs: workload did not complete in \d+ ms of engine time \(GPU hang\)$/) });
    expect(h.v.lastReset!.atNs).toBeGreaterThan(250e6);
    const log = vgpuLog(r.m, 7);
    const line = log.lines.find((l) => l.text === h.v.lastReset!.reason)!;
    expect(line.atMs).toBeCloseTo(h.v.lastReset!.atNs / 1e6, 6);
    expect(sysfsRead(r.m, '/sys/kernel/vgt/vm7/log')).toContain(`${h.v.lastReset!.reason}\n`);
    // A reader that asked before sees only the new lines.
    expect(vgpuLog(r.m, 7, line.seq).lines[0].seq).toBe(line.seq);
    expect(vgpuLog(r.m, 7, log.next)).toEqual({ domid: 7, lines: [], first: log.first, next: log.next });
    const s = gpuStats(r.m, 1e9, () => 0).vgpus[0];
    expect(s).toMatchObject({ domid: 7, hangs: 1, resets: 1, logNext: log.next, lastReset: { kind: 'hang', reason: h.v.lastReset!.reason } });
  });

  it('a guest’s GDRST write is a reset, not a hang', () => {
    const r = rig();
    const { v } = addVm(r, 3);
    r.m.tick(2e6);
    directPort(r, v).write32(GEN6_GDRST, GEN6_GRDOM_BLT);
    expect(v.stats).toMatchObject({ hangs: 0, resets: 1 });
    expect(v.lastReset).toEqual({ kind: 'reset', reason: 'guest reset GDRST=0x8', atNs: 2e6 });
    expect(v.log.at(-1)).toBe('guest reset GDRST=0x8');
  });

  it('vgpu.log of a domain without a vGPU is not_found', () => {
    expect(() => vgpuLog(rig().m, 9)).toThrow(/no vGPU for domain 9/);
  });
});

describe('gpu.stats', () => {
  it('GM in use counts the present GGTT entries the guest wrote; the sample carries weight, schedule state and frames', () => {
    const r = rig();
    const { v } = addVm(r, 4);
    const p = directPort(r, v);
    const page = v.alloc.lowGm.base / 4096;
    for (let i = 0; i < 3; i++) p.write64(GTT_OFFSET + (page + i) * 8, (i + 1) * 4096 + 1, 0);
    p.write64(GTT_OFFSET + (page + 3) * 8, 5 * 4096, 0); // not present
    expect(gmInUseBytes(v)).toBe(3 * 4096);
    const stats = gpuStats(r.m, 2e9, (domid) => (domid === 4 ? 42 : 0));
    expect(stats.nowMs).toBe(2000);
    expect(stats.vgpus).toEqual([
      expect.objectContaining({ domid: 4, name: 'vm4', vgtId: v.id, weight: v.weight, scheduled: false, flips: 42, gmInUseBytes: 3 * 4096, gmBytes: v.alloc.lowGm.size + v.alloc.highGm.size, hangs: 0, lastReset: null }),
    ]);
    expect(stats.vgpus[0].mmioTraps).toBe(4);
  });
});
