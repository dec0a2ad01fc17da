import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { FileBoundary } from '../../../src/main/files/boundary';
import { FILE_LIMITS } from '../../../src/main/files/checked-io';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootGuestOnPorts } from '../helpers/system';
import { probeDisplays } from '../../../src/main/guest/display-probe';
import { decodeVgpuFrame } from '../../../src/main/mediator/fb-decoder';
import { libraryMonitor } from '../../../src/shared/edid-library';
import { PORT_TYPES } from '../../../src/shared/ports';
import type { VirtualPort } from '../../../src/main/mediator/vdisplay';
import { sysfsList, sysfsRead, sysfsWrite } from '../../../src/main/mediator/sysfs';
import { readEdidRegion, writeEdidRegion } from '../../../src/main/mediator/edid-region';
import { edidToHex } from '../../../src/shared/edid';
import { builtInDisplay, domainDisplay } from '../../../src/main/vm/domain-ports';
import { DOMAIN_DEFAULTS } from '../../../src/main/vm/domain-spec';

const mon = (id: string) => libraryMonitor(id)!.bytes;

function guest(ports: VirtualPort[]) {
  const { r, v, port, d, scene, log } = bootGuestOnPorts(ports, 64);
  const reprobe = () => scene.setMode(probeDisplays(port, (l) => log.push(l))[0]?.mode ?? null);
  reprobe();
  const size = () => {
    const f = decodeVgpuFrame(r.gpu, v);
    if ('error' in f) throw new Error(f.error);
    return [f.frame.width, f.frame.height];
  };
  return { r, v, d, scene, log, reprobe, size };
}

describe('the guest finds its monitors as i915 does', () => {
  it('reads an HDMI monitor over GMBUS and drives pipe A at its preferred mode', () => {
    const g = guest([{ name: 'PORT_B', type: PORT_TYPES.HDMI_B, overridePort: null, edid: mon('generic-1280x1024'), connected: true }]);
    expect(g.size()).toEqual([1280, 1024]);
    expect(g.log).toContain('[drm] PORT_B: GVT 1280x1024 via GMBUS, preferred mode 1280x1024@60.02Hz');
  });

  it('reads a DP monitor over the AUX channel (I2C-over-AUX)', () => {
    const g = guest([{ name: 'PORT_C', type: PORT_TYPES.DP_C, overridePort: null, edid: mon('generic-1920x1080'), connected: true }]);
    expect(g.size()).toEqual([1920, 1080]);
    expect(g.log.some((l) => l.includes('PORT_C') && l.includes('DP AUX'))).toBe(true);
  });

  it('trains the DP link (intel_dp_start_link_train against GVT-g dp_aux_ch_ctl_link_training): the sink ends in sync', () => {
    const g = guest([{ name: 'PORT_C', type: PORT_TYPES.DP_C, overridePort: null, edid: mon('generic-1920x1080'), connected: true }]);
    const dpcd = g.v.display.ports.get('PORT_C')!.dpcd!;
    expect([...dpcd.subarray(0x202, 0x206)]).toEqual([0x77, 0x77, 0x01, 0x03]);
    expect(dpcd[0x102]).toBe(0);
    expect(g.log.some((l) => l.includes('link training failed'))).toBe(false);
  });

  it('finds an eDP monitor on port A through SDEISR (SDE_PORTA_HOTPLUG_SPT) and follows its hotplug', () => {
    const g = guest([{ name: 'PORT_A', type: PORT_TYPES.DP_A, overridePort: null, edid: mon('generic-1280x1024'), connected: true }]);
    expect(g.size()).toEqual([1280, 1024]);
    g.r.m.hotplug(1, 'PORT_A', false);
    expect(g.d.handleInterrupt().hotplug).toBe(true);
    g.reprobe();
    expect(g.size()).toEqual([0, 0]);
  });

  it('the seeds\' monitor.config (virtual VGA on PORT_E, ASUS PA238) gives 1920x1080', () => {
    const g = guest([{ name: 'PORT_E', type: PORT_TYPES.CRT, overridePort: 'PORT_B', edid: mon('asus-pa238'), connected: true }]);
    expect(g.size()).toEqual([1920, 1080]);
  });

  it('hotplug: a new EDID changes the resolution while running; disconnect turns the pipe off', () => {
    const g = guest([{ name: 'PORT_B', type: PORT_TYPES.HDMI_B, overridePort: null, edid: mon('generic-1024x768'), connected: true }]);
    expect(g.size()).toEqual([1024, 768]);
    g.scene.frame(0);
    g.r.m.tick(1e6);
    g.r.m.hotplug(1, 'PORT_B', true, mon('generic-1920x1200'));
    expect(g.d.handleInterrupt().hotplug).toBe(true);
    g.reprobe();
    expect(g.size()).toEqual([1920, 1200]);
    g.scene.frame(0);
    g.r.m.tick(2e6);
    expect(g.v.failsafe).toBeNull();
    g.r.m.hotplug(1, 'PORT_B', false);
    expect(g.d.handleInterrupt().hotplug).toBe(true);
    g.reprobe();
    expect(g.size()).toEqual([0, 0]);
    expect(g.scene.mode).toBeNull();
  });

  it('VMs at different resolutions can each take the foreground: the physical pipe follows', async () => {
    const { decodePhysicalFrame } = await import('../../../src/main/mediator/fb-decoder');
    const a = guest([{ name: 'PORT_B', type: PORT_TYPES.HDMI_B, overridePort: null, edid: mon('generic-1920x1080'), connected: true }]);
    a.d.setDisplayReady();
    a.r.m.setForeground(1);
    const phys = decodePhysicalFrame(a.r.gpu);
    expect('frame' in phys && [phys.frame.width, phys.frame.height]).toEqual([1920, 1080]);
  });
});

describe('XenGT port sysfs nodes', () => {
  it('stage edid_text/type/port_override, then connect; flush re-sends; disconnect unplugs', () => {
    const g = guest([{ name: 'PORT_B', type: PORT_TYPES.HDMI_B, overridePort: null, edid: mon('generic-1024x768'), connected: true }]);
    const base = '/sys/kernel/vgt/vm1/PORT_D';
    expect(sysfsList(g.r.m, '/sys/kernel/vgt/vm1/PORT_D')).toEqual(['connection', 'edid', 'edid_text', 'pipe', 'port_override', 'type']);
    expect(sysfsRead(g.r.m, `${base}/connection`)).toBe('disconnected\n');
    expect(() => sysfsWrite(g.r.m, `${base}/connection`, 'connect')).toThrow(/no EDID/);
    sysfsWrite(g.r.m, `${base}/edid_text`, edidToHex(mon('generic-1920x1080')));
    sysfsWrite(g.r.m, `${base}/type`, '4');
    sysfsWrite(g.r.m, `${base}/port_override`, 'PORT_C');
    expect(sysfsRead(g.r.m, `${base}/connection`)).toBe('disconnected\n'); // staged only
    sysfsWrite(g.r.m, `${base}/connection`, 'connect');
    expect(sysfsRead(g.r.m, `${base}/connection`)).toBe('connected\n');
    // As XenGT prints them (vgt/sysfs.c): the type's name, the port's name, VGT_PIPE_NAME.
    expect(sysfsRead(g.r.m, `${base}/type`)).toBe('VGT_DP_D\n');
    expect(sysfsRead(g.r.m, `${base}/port_override`)).toBe('PORT_C\n');
    expect(sysfsRead(g.r.m, '/sys/kernel/vgt/vm1/PORT_C/port_override')).toBe('PORT_X\n');
    expect(sysfsRead(g.r.m, `${base}/edid`)).toBe(edidToHex(mon('generic-1920x1080')) + '\n');
    expect(() => sysfsRead(g.r.m, `${base}/edid_text`)).toThrow(/edid_text: read error: Input\/output error \(write-only/);
    // PORT_B still drives pipe A (it comes first); the second monitor gets pipe B.
    expect(sysfsRead(g.r.m, '/sys/kernel/vgt/vm1/PORT_B/pipe')).toBe('Pipe A\n');
    expect(sysfsRead(g.r.m, `${base}/pipe`)).toBe('Pipe B\n');
    expect(sysfsRead(g.r.m, '/sys/kernel/vgt/vm1/PORT_C/pipe')).toBe('PIPE X\n');
    expect(sysfsRead(g.r.m, '/sys/kernel/vgt/vm1/PORT_A/pipe')).toBe('PIPE_EDP\n');
    sysfsWrite(g.r.m, '/sys/kernel/vgt/vm1/PORT_B/connection', 'disconnect');
    expect(sysfsRead(g.r.m, `${base}/pipe`)).toBe('Pipe A\n');
    expect(() => sysfsWrite(g.r.m, `${base}/edid_text`, '00 ff ff zz')).toThrow(/Invalid argument \(line 1/);
    expect(() => sysfsWrite(g.r.m, `${base}/type`, '9')).toThrow(/expected a number 0..7/);
    expect(() => sysfsWrite(g.r.m, `${base}/connection`, 'maybe')).toThrow(/connect, disconnect or flush/);
  });
});

describe('VFIO EDID region', () => {
  it('a blob only while the link is down; up plugs it in, down unplugs; too-large modes are refused', () => {
    const g = guest([{ name: 'PORT_B', type: PORT_TYPES.HDMI_B, overridePort: null, edid: mon('generic-1024x768'), connected: true }]);
    (g.v as { maxResolution: { width: number; height: number } }).maxResolution = { width: 1920, height: 1080 };
    expect(readEdidRegion(g.v)).toMatchObject({ edidMaxSize: 512, edidSize: 128, maxXres: 1920, maxYres: 1080, linkState: 1 });
    expect(() => writeEdidRegion(g.r.m, g.v, { edid: mon('generic-1920x1080') })).toThrow(/link_state down/);
    writeEdidRegion(g.r.m, g.v, { linkState: 2 });
    expect(() => writeEdidRegion(g.r.m, g.v, { edid: mon('generic-1920x1200') })).toThrow(/exceeds max_xres x max_yres 1920x1080/);
    writeEdidRegion(g.r.m, g.v, { edid: mon('generic-1920x1080') });
    const up = writeEdidRegion(g.r.m, g.v, { linkState: 1 });
    expect(up.linkState).toBe(1);
    g.d.handleInterrupt();
    g.reprobe();
    expect(g.size()).toEqual([1920, 1080]);
  });
});

describe('domain ports', () => {
  const spec = { ...DOMAIN_DEFAULTS, name: 'x', vgt: true };
  it('built-in monitor: 1024x768 for explicit sizes, 1920x1200 for GVTg_V5_4', () => {
    expect(builtInDisplay(spec).ports[0]).toMatchObject({ name: 'PORT_B', type: PORT_TYPES.HDMI_B, connected: true });
    expect(builtInDisplay({ ...spec, vgpuType: 'GVTg_V5_4' }).maxResolution).toEqual({ width: 1920, height: 1200 });
  });

  it('indirect mode reads monitor.config; a missing file falls back with a note; a malformed one refuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-'));
    const read = boundaryReader(dir);
    const good = join(dir, 'good.config');
    writeFileSync(good, `# x\n11\n0401\n${edidToHex(mon('asus-pa238'))}\n`);
    const d = await domainDisplay({ ...spec, monitorConfigFile: good }, read);
    expect(d.ports).toEqual([{ name: 'PORT_E', type: PORT_TYPES.CRT, overridePort: 'PORT_B', edid: mon('asus-pa238'), connected: true }]);
    const missing = await domainDisplay({ ...spec, monitorConfigFile: join(dir, 'nope') }, read);
    expect(missing.notes[0]).toMatch(/not found; using the built-in monitor/);
    const bad = join(dir, 'bad.config');
    writeFileSync(bad, '11\n04zz\n');
    await expect(domainDisplay({ ...spec, monitorConfigFile: bad }, read)).rejects.toThrow(/monitor.config is malformed:\n.*bad.config:2/);
  });

  it('a vgt_monitor_config_file outside the file boundary, or a FIFO, falls back to the built-in monitor without reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-'));
    const read = boundaryReader(join(dir, 'data'));
    const outside = join(dir, 'outside.config');
    writeFileSync(outside, `11\n0401\n${edidToHex(mon('asus-pa238'))}\n`);
    const d = await domainDisplay({ ...spec, monitorConfigFile: outside }, read);
    expect(d.ports[0]!.name).toBe('PORT_B');
    expect(d.notes[0]).toMatch(/outside GVT Desk's file boundary.*using the built-in monitor/);
    const fifo = join(dir, 'data', 'fifo.config');
    execFileSync('mkfifo', [fifo]);
    const f = await domainDisplay({ ...spec, monitorConfigFile: fifo }, read);
    expect(f.notes[0]).toMatch(/is a FIFO, not a regular file; using the built-in monitor/);
  });
});

/** The host's reader for config keys that name files: the boundary of a data dir `dir`. */
function boundaryReader(dir: string): (path: string) => Promise<Uint8Array> {
  mkdirSync(dir, { recursive: true });
  const boundary = new FileBoundary(dir);
  return async (path) => (await boundary.read(path, FILE_LIMITS.monitorConfig, 'monitor.config')).bytes;
}
