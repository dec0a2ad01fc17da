// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import MonitorEditor from '../../../src/renderer/components/MonitorEditor.vue';
import LibraryPanel from '../../../src/renderer/components/LibraryPanel.vue';
import { apiKey } from '../../../src/renderer/api';
import { useDomainsStore } from '../../../src/renderer/stores/domains';
import { useUiStore } from '../../../src/renderer/stores/ui';
import { monitorConfigPath } from '../../../src/renderer/lib/monitor-path';
import { ApiError } from '../../../src/shared/api';
import { decodeEdid, edidToHex, modeLine, preferredTiming } from '../../../src/shared/edid';
import { libraryMonitor } from '../../../src/shared/edid-library';
import { parseMonitorConfig } from '../../../src/shared/monitor-config';
import { FakeClient, type Handlers } from './fake-client';
import { sampleDomains } from './fixtures';
import { mountWith } from './mount';

/** resources/examples/monitor.config: the setup guide's example (seed 001 §4.1.3). */
const SEED_MONITOR_CONFIG = `# monitor.config file.
# first bit 1 for text mode, and second bit 2 for number of ports in the config
11
# 04 for PORT_E; and 01 for PORT_B to be override (virtual VGA on physical DP)
0401
# Virtual VGA monitor EDID
00ffffffffffff000469b1232df80000
0f16010381331d782a5ea5a2554da026
115054bfef00d1c095008140818081c0
950fb300714f023a801871382d40582c
4500fd1e1100001e000000ff0043344c
4d54463036333533330a000000fd0032
4b185311000a202020202020000000fc
00415355532050413233380a202000e0
`;
const XL = "name = 'ubuntu'\nvgt=1\nvgt_monitor_config_file='/path/to/monitor.config' #only valid for indirect display mode\nacpi_s3=0\n";

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

async function setup(opts: { config?: string; files?: Record<string, string>; handlers?: Handlers } = {}) {
  const files: Record<string, string> = { ...opts.files };
  let config = opts.config ?? XL;
  const fake = new FakeClient({
    'domains.list': () => sampleDomains(),
    'library.get': ({ name }) => ({ name, fileName: `${name}.cfg`, text: config }),
    'library.save': ({ name, text }) => ((config = text), { name }),
    'monitorConfig.read': ({ path }) => ({ path, text: files[path] ?? null }),
    'monitorConfig.write': ({ path, text }) => ((files[path] = text), { path }),
    'ports.list': () => [],
    'files.info': () => ({ dataDir: '/data', monitorsDir: '/data/monitors', dialogs: false }),
    ...opts.handlers,
  });
  const pinia = createPinia();
  setActivePinia(pinia);
  const w = mount(MonitorEditor, { props: { name: 'ubuntu' }, attachTo: document.body, global: { plugins: [pinia], provide: { [apiKey as symbol]: fake } } });
  wrapper = w;
  await useDomainsStore(pinia).refresh();
  await flushPromises();
  return { fake, w, files, config: () => config, pinia };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);

async function click(w: VueWrapper, id: string): Promise<void> {
  await byTestId(w, id).trigger('click');
  await flushPromises();
}

describe('monitor editor', () => {
  it('opens from the library row (Monitors…)', async () => {
    const fake = new FakeClient({ 'domains.list': () => sampleDomains() });
    const mounted = mountWith(fake, LibraryPanel);
    wrapper = mounted.wrapper as VueWrapper;
    await useDomainsStore(mounted.pinia).refresh();
    await flushPromises();
    await click(wrapper, 'monitors-ubuntu');
    expect(useUiStore(mounted.pinia).monitorEditing).toBe('ubuntu');
  });

  it('reads the path from the config; a missing file starts empty', async () => {
    const { w, fake } = await setup();
    expect((byTestId(w, 'monitor-path').element as HTMLInputElement).value).toBe('/path/to/monitor.config');
    expect(fake.callsTo('monitorConfig.read')).toEqual([{ path: '/path/to/monitor.config' }]);
    expect(w.findAll('[data-testid^="monitor-row-"]')).toHaveLength(0);
    expect(byTestId(w, 'monitor-notes').text()).toContain('does not exist yet');
  });

  it("loads an existing monitor.config (the seed's PORT_E VGA on PORT_B) into the table", async () => {
    const { w } = await setup({ files: { '/path/to/monitor.config': SEED_MONITOR_CONFIG } });
    const rows = w.findAll('[data-testid^="monitor-row-"]');
    expect(rows.map((r) => r.attributes('data-testid'))).toEqual(['monitor-row-PORT_E']);
    expect((byTestId(w, 'monitor-type-PORT_E').element as HTMLSelectElement).value).toBe('VGA');
    expect((byTestId(w, 'monitor-override-PORT_E').element as HTMLSelectElement).value).toBe('PORT_B');
    expect(rows[0]!.text()).toContain('ASUS PA238, 1920x1080@60');
    expect((byTestId(w, 'edid-name').element as HTMLInputElement).value).toBe('ASUS PA238');
  });

  it('adds rows (at most 3), edits an EDID, removes a row; the saved text parses back to the rows', async () => {
    const { w, files, fake } = await setup();
    await click(w, 'monitor-add');
    await click(w, 'monitor-add');
    await click(w, 'monitor-add');
    expect(w.findAll('[data-testid^="monitor-row-"]').map((r) => r.attributes('data-testid'))).toEqual(['monitor-row-PORT_B', 'monitor-row-PORT_C', 'monitor-row-PORT_D']);
    expect(byTestId(w, 'monitor-add').attributes('disabled')).toBeDefined();

    // PORT_C becomes DP overriding PORT_D; PORT_D goes; PORT_B gets a 1280x720 preferred mode.
    await byTestId(w, 'monitor-type-PORT_C').setValue('DP');
    await byTestId(w, 'monitor-override-PORT_C').setValue('PORT_D');
    await click(w, 'monitor-remove-PORT_D');
    await click(w, 'monitor-edit-PORT_B');
    for (const [id, v] of [['edid-width', '1280'], ['edid-height', '720']] as const) {
      const el = byTestId(w, id);
      (el.element as HTMLInputElement).value = v;
      await el.trigger('change');
    }
    await flushPromises();

    await click(w, 'monitor-save');
    expect(byTestId(w, 'monitor-error').exists()).toBe(false);
    expect(byTestId(w, 'monitor-status').text()).toContain('Saved /path/to/monitor.config (2 monitors)');
    // The config already names this path: no library.save.
    expect(fake.callsTo('library.save')).toEqual([]);

    const parsed = parseMonitorConfig(files['/path/to/monitor.config']!);
    expect(parsed.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const recs = parsed.config!.records;
    expect(recs.map((r) => [r.virtualPort, r.portType, r.overridePort])).toEqual([
      ['PORT_B', 'HDMI', 'PORT_B'],
      ['PORT_C', 'DP', 'PORT_D'],
    ]);
    expect(modeLine(preferredTiming(decodeEdid(recs[0]!.edid).edid!)!)).toMatchObject({ width: 1280, height: 720 });
    expect(recs[1]!.edid).toEqual(libraryMonitor('generic-1920x1080')!.bytes);
  });

  it('saving to another path writes the file and points the domain config at it', async () => {
    const { w, files, config, fake } = await setup();
    await byTestId(w, 'monitor-path').setValue('/tmp/gvt/ubuntu-monitor.config');
    await click(w, 'monitor-add');
    await click(w, 'monitor-save');
    expect(Object.keys(files)).toEqual(['/tmp/gvt/ubuntu-monitor.config']);
    expect(monitorConfigPath(config())).toBe('/tmp/gvt/ubuntu-monitor.config');
    expect(config()).toContain('#only valid for indirect display mode'); // rest of the line kept
    expect(fake.callsTo('library.save')).toHaveLength(1);
    expect(byTestId(w, 'monitor-status').text()).toContain("ubuntu's config now names it");
  });

  it('adds the key to a config that has none', async () => {
    const { w, config } = await setup({ config: "name = 'ubuntu'\nvgt=1\n" });
    // The default is inside the data dir, where the host may write.
    expect((byTestId(w, 'monitor-path').element as HTMLInputElement).value).toBe('/data/monitors/ubuntu.monitor.config');
    await byTestId(w, 'monitor-path').setValue('');
    await flushPromises();
    expect(byTestId(w, 'monitor-save').attributes('disabled')).toBeDefined();
    await byTestId(w, 'monitor-path').setValue('/srv/ubuntu.monitor.config');
    await click(w, 'monitor-add');
    await click(w, 'monitor-save');
    expect(config()).toBe("name = 'ubuntu'\nvgt=1\nvgt_monitor_config_file='/srv/ubuntu.monitor.config'\n");
  });

  it("a path outside the host's file boundary (the seeds' /path/to/monitor.config) offers the data dir's default", async () => {
    const { w, files, config } = await setup({
      handlers: {
        'monitorConfig.read': ({ path }) => {
          throw new ApiError('invalid', `${path}: outside GVT Desk's file boundary (files under the data dir /data, or files you chose in a dialog or typed in the Dom0 console)`);
        },
      },
    });
    expect((byTestId(w, 'monitor-path').element as HTMLInputElement).value).toBe('/data/monitors/ubuntu.monitor.config');
    expect(byTestId(w, 'monitor-notes').text()).toContain("/path/to/monitor.config: outside GVT Desk's file boundary");
    expect(byTestId(w, 'monitor-notes').text()).toContain('Save writes /data/monitors/ubuntu.monitor.config');
    expect(w.find('[data-testid="monitor-error"]').exists()).toBe(false);
    await click(w, 'monitor-add');
    await click(w, 'monitor-save');
    expect(Object.keys(files)).toEqual(['/data/monitors/ubuntu.monitor.config']);
    expect(monitorConfigPath(config())).toBe('/data/monitors/ubuntu.monitor.config');
  });

  it('Choose… appears only with native dialogs (Electron) and loads the file the user chose', async () => {
    const plain = await setup();
    expect(byTestId(plain.w, 'monitor-choose').exists()).toBe(false);
    plain.w.unmount();
    const { w, fake } = await setup({
      files: { '/home/u/pa238.config': SEED_MONITOR_CONFIG },
      handlers: {
        'files.info': () => ({ dataDir: '/data', monitorsDir: '/data/monitors', dialogs: true }),
        'files.choose': () => ({ path: '/home/u/pa238.config' }),
      },
    });
    await click(w, 'monitor-choose');
    expect(fake.callsTo('files.choose')).toEqual([{ purpose: 'monitorConfig', mode: 'save', suggestedName: 'ubuntu.monitor.config' }]);
    expect((byTestId(w, 'monitor-path').element as HTMLInputElement).value).toBe('/home/u/pa238.config');
    expect(w.findAll('[data-testid^="monitor-row-"]').map((r) => r.attributes('data-testid'))).toEqual(['monitor-row-PORT_E']);
  });

  it('Open file… (upload) reads a local monitor.config into the table; Download hands the table back as a file', async () => {
    const { w } = await setup();
    const input = byTestId(w, 'monitor-upload');
    Object.defineProperty(input.element, 'files', { value: [new File([SEED_MONITOR_CONFIG], 'pa238.config')], configurable: true });
    await input.trigger('change');
    await flushPromises();
    expect(w.findAll('[data-testid^="monitor-row-"]').map((r) => r.attributes('data-testid'))).toEqual(['monitor-row-PORT_E']);
    expect(byTestId(w, 'monitor-status').text()).toContain('Read pa238.config');
    const blobs: Blob[] = [];
    const create = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => (blobs.push(b as Blob), 'blob:x'));
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    await click(w, 'monitor-download');
    expect(blobs).toHaveLength(1);
    expect(parseMonitorConfig(await blobs[0]!.text(), 'x').config?.records.map((r) => r.virtualPort)).toEqual(['PORT_E']);
    create.mockRestore();
    revoke.mockRestore();
  });

  it('refuses a relative path and an empty table before calling the host', async () => {
    const { w, fake } = await setup();
    await click(w, 'monitor-save');
    expect(byTestId(w, 'monitor-error').text()).toContain('Add at least one monitor');
    await byTestId(w, 'monitor-path').setValue('monitor.config');
    await click(w, 'monitor-add');
    await click(w, 'monitor-save');
    expect(byTestId(w, 'monitor-error').text()).toContain('must be absolute');
    expect(fake.callsTo('monitorConfig.write')).toEqual([]);
  });

  it("shows the host's refusal inline with its line numbers", async () => {
    const { w } = await setup({
      handlers: {
        'monitorConfig.write': ({ path }) => {
          throw new ApiError('config', `${path} not saved:\n${path}:6:1: error: record 1, EDID: detailed timing 1: zero active area (0x768)`);
        },
      },
    });
    await click(w, 'monitor-add');
    await click(w, 'monitor-save');
    expect(byTestId(w, 'monitor-error').text()).toContain('/path/to/monitor.config:6:1: error: record 1');
    expect(byTestId(w, 'monitor-status').exists()).toBe(false);
  });

  it('blocks Save while the selected EDID hex does not parse', async () => {
    const { w, fake } = await setup();
    await click(w, 'monitor-add');
    const hex = byTestId(w, 'edid-hex');
    (hex.element as HTMLTextAreaElement).value = `${edidToHex(libraryMonitor('generic-1920x1080')!.bytes)}xyz\n`;
    await hex.trigger('input');
    await click(w, 'monitor-save');
    expect(byTestId(w, 'monitor-error').text()).toContain('EDID hex of PORT_B has an error');
    expect(fake.callsTo('monitorConfig.write')).toEqual([]);
  });
});
