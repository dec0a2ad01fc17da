import { describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { LayoutStore } from '../../../src/main/host/layout-store';
import { MAX_LAYOUT_WINDOWS, methods, type Layout, type WindowLayout } from '../../../src/shared/api';

const win = (over: Partial<WindowLayout> = {}): WindowLayout => ({ x: 10, y: 20, w: 640, h: 480, z: 1, maximized: false, scale: 'fit', closed: false, ...over });
const sample: Layout = { version: 1, windows: { physical: win(), 'vm:vgtHVMDomain': win({ x: 300, z: 2, maximized: true, scale: 'integer', closed: true }) } };
const all = () => true;

describe('LayoutStore', () => {
  it('starts empty without a file, writes atomically and reads the layout back after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-'));
    const warn = vi.fn();
    const s = new LayoutStore(dir, warn);
    expect(s.get(all)).toEqual({ layout: { version: 1, windows: {} }, warning: null });
    expect(s.set(sample)).toEqual({ windows: 2 });
    expect(JSON.parse(readFileSync(join(dir, 'layout.json'), 'utf8'))).toEqual(sample);
    // No temp file left behind: write-file-atomic renamed it over layout.json.
    expect(readdirSync(dir)).toEqual(['layout.json']);
    expect(new LayoutStore(dir, warn).get(all)).toEqual({ layout: sample, warning: null });
    expect(warn).not.toHaveBeenCalled();
  });

  it('goes through write-file-atomic (temp file + fsync + rename), so a kill mid-save leaves the old file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-'));
    const s = new LayoutStore(dir);
    s.set(sample);
    const spy = vi.spyOn(writeFileAtomic, 'sync').mockImplementation(() => {
      throw Object.assign(new Error('killed'), { code: 'EIO' });
    });
    try {
      expect(() => s.set({ version: 1, windows: {} })).toThrow(/window layout .*layout\.json: cannot write/);
      expect(spy).toHaveBeenCalledWith(join(dir, 'layout.json'), expect.any(String), { fsync: true });
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(readFileSync(join(dir, 'layout.json'), 'utf8'))).toEqual(sample);
    // The failed save did not replace what is served either.
    expect(s.get(all).layout).toEqual(sample);
  });

  it('ignores a corrupt file with a warning naming the file, serves the defaults, and a save replaces it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-'));
    writeFileSync(join(dir, 'layout.json'), '{"version":1,"windows":{');
    const warn = vi.fn();
    const s = new LayoutStore(dir, warn);
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]![0]).toMatch(/layout\.json: not valid JSON .*the default layout is used/);
    const got = s.get(all);
    expect(got.layout).toEqual({ version: 1, windows: {} });
    expect(got.warning).toMatch(/layout\.json: not valid JSON/);
    s.set(sample);
    expect(s.get(all).warning).toBeNull();
  });

  it('ignores a layout that breaks the schema, naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-'));
    writeFileSync(join(dir, 'layout.json'), JSON.stringify({ version: 1, windows: { physical: win({ w: 5 }) } }));
    const warn = vi.fn();
    const s = new LayoutStore(dir, warn);
    expect(s.get(all).layout.windows).toEqual({});
    expect(warn.mock.calls[0]![0]).toMatch(/windows\.physical\.w: .*200/);
  });

  it('a layout.json that is not a regular file is ignored with a warning, never fatal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-'));
    mkdirSync(join(dir, 'layout.json'));
    const warn = vi.fn();
    const s = new LayoutStore(dir, warn);
    expect(s.get(all).layout.windows).toEqual({});
    expect(warn.mock.calls[0]![0]).toMatch(/layout\.json.*directory/);
  });

  it('drops the windows of VMs no longer present, keeps the physical display', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-'));
    const s = new LayoutStore(dir);
    s.set(sample);
    expect(Object.keys(s.get(() => false).layout.windows)).toEqual(['physical']);
    expect(Object.keys(s.get((n) => n === 'vgtHVMDomain').layout.windows)).toEqual(['physical', 'vm:vgtHVMDomain']);
  });

  it('keeps the head windows (vm:NAME:B, physical:D) by the same rule: a VM head with its VM, a physical head always', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layout-'));
    const s = new LayoutStore(dir);
    s.set({ version: 1, windows: { ...sample.windows, 'vm:vgtHVMDomain:B': win(), 'vm:win7:C': win(), 'physical:D': win() } });
    expect(Object.keys(s.get((n) => n === 'vgtHVMDomain').layout.windows).sort()).toEqual(['physical', 'physical:D', 'vm:vgtHVMDomain', 'vm:vgtHVMDomain:B']);
  });
});

describe('layout.set schema', () => {
  const ok = (layout: unknown) => methods['layout.set'].safeParse({ layout }).success;
  it('accepts a well-formed layout', () => expect(ok(sample)).toBe(true));
  it('accepts head window keys: vm:NAME:B, vm:NAME:C, physical:B..physical:E', () =>
    expect(ok({ version: 1, windows: { 'vm:d:B': win(), 'vm:d:C': win(), 'physical:B': win(), 'physical:E': win() } })).toBe(true));
  it('refuses sizes out of bounds, negative positions, unknown scales, bad keys, extra fields and too many windows', () => {
    expect(ok({ version: 1, windows: { physical: win({ w: 100 }) } })).toBe(false);
    expect(ok({ version: 1, windows: { physical: win({ h: 100_000 }) } })).toBe(false);
    expect(ok({ version: 1, windows: { physical: win({ x: -1 }) } })).toBe(false);
    expect(ok({ version: 1, windows: { physical: win({ x: 1.5 }) } })).toBe(false);
    expect(ok({ version: 1, windows: { physical: { ...win(), scale: '4x' } } })).toBe(false);
    expect(ok({ version: 1, windows: { physical: { ...win(), extra: 1 } } })).toBe(false);
    expect(ok({ version: 1, windows: { 7: win() } })).toBe(false);
    expect(ok({ version: 1, windows: { 'vm:bad name': win() } })).toBe(false);
    expect(ok({ version: 1, windows: { 'vm:d:D': win() } })).toBe(false);
    expect(ok({ version: 1, windows: { 'vm:d:A': win() } })).toBe(false);
    expect(ok({ version: 1, windows: { 'physical:F': win() } })).toBe(false);
    expect(ok({ version: 1, windows: { 'physical:': win() } })).toBe(false);
    expect(ok({ version: 2, windows: {} })).toBe(false);
    const many = Object.fromEntries(Array.from({ length: MAX_LAYOUT_WINDOWS + 1 }, (_, i) => [`vm:d${i}`, win()]));
    expect(ok({ version: 1, windows: many })).toBe(false);
  });
});
