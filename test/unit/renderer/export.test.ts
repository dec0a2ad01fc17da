// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { defineComponent, h } from 'vue';
import { ApiError, type Params, type Results } from '../../../src/shared/api';
import LibraryPanel from '../../../src/renderer/components/LibraryPanel.vue';
import MenuBar from '../../../src/renderer/components/MenuBar.vue';
import DomainContextMenu from '../../../src/renderer/components/DomainContextMenu.vue';
import ExportDialog from '../../../src/renderer/components/ExportDialog.vue';
import { useDomainsStore } from '../../../src/renderer/stores/domains';
import { useUiStore } from '../../../src/renderer/stores/ui';
import { FakeClient, type Handlers } from './fake-client';
import { sampleDomains } from './fixtures';
import { mountWith } from './mount';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  vi.restoreAllMocks();
});

/** The context menu and the export dialog, as App shows them. */
const Overlays = defineComponent(() => {
  const ui = useUiStore();
  return () => [
    ui.domainMenu ? h(DomainContextMenu, { request: ui.domainMenu, key: `${ui.domainMenu.x},${ui.domainMenu.y}` }) : null,
    ui.exportRequest ? h(ExportDialog, { name: ui.exportRequest.name, key: ui.exportRequest.name ?? '' }) : null,
  ];
});

/** What the fake host exports: the format and name, so a test can tell answers apart. */
const exported = ({ name, format }: Params<'domain.export'>): Results['domain.export'] => ({ text: `<${format} of ${name}>`, suggestedName: `${name}.${format}` });

async function setup(handlers: Handlers = {}) {
  const fake = new FakeClient({
    'domains.list': () => sampleDomains(),
    'settings.get': () => ({ hvmBootForeground: true, apertureMiB: 512 as const }),
    'domain.export': exported,
    ...handlers,
  });
  const mounted = mountWith(fake, MenuBar, LibraryPanel, Overlays);
  wrapper = mounted.wrapper as VueWrapper;
  await useDomainsStore(mounted.pinia).refresh();
  await flushPromises();
  return { fake, wrapper, ui: useUiStore(mounted.pinia) };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);

async function openFromContextMenu(w: VueWrapper, name: string): Promise<void> {
  await byTestId(w, `library-row-${name}`).trigger('contextmenu', { clientX: 20, clientY: 20 });
  await byTestId(w, 'domain-menu-export').trigger('click');
  await flushPromises();
}

describe('Export… dialog', () => {
  it("opens from a domain's context menu and shows that domain's xl export", async () => {
    const { fake, wrapper } = await setup();
    await openFromContextMenu(wrapper, 'ubuntu');
    expect(byTestId(wrapper, 'domain-menu').exists()).toBe(false);
    expect(byTestId(wrapper, 'export-dialog').exists()).toBe(true);
    expect(fake.callsTo('domain.export')).toEqual([{ name: 'ubuntu', format: 'xl' }]);
    expect(byTestId(wrapper, 'export-preview').text()).toBe('<xl of ubuntu>');
    expect(byTestId(wrapper, 'export-file-name').text()).toBe('ubuntu.xl');
    expect((byTestId(wrapper, 'export-domain').element as HTMLSelectElement).value).toBe('ubuntu');
  });

  it('offers every format; picking one asks the host again and shows the answer', async () => {
    const { fake, wrapper } = await setup();
    await openFromContextMenu(wrapper, 'win7');
    expect(wrapper.findAll('input[name="export-format"]').map((i) => (i.element as HTMLInputElement).value)).toEqual(['xl', 'qemu-kvmgt', 'qemu', 'libvirt', 'mdevctl']);
    await byTestId(wrapper, 'export-format-libvirt').setValue(true);
    await flushPromises();
    expect(fake.callsTo('domain.export').at(-1)).toEqual({ name: 'win7', format: 'libvirt' });
    expect(byTestId(wrapper, 'export-preview').text()).toBe('<libvirt of win7>');
    expect(byTestId(wrapper, 'export-dialog').text()).toContain('libvirt domain XML');
  });

  it('File ▸ Export domain… opens it on the first library domain (never Domain-0), and the domain can be changed', async () => {
    const { fake, wrapper } = await setup();
    await byTestId(wrapper, 'menu-file').trigger('click');
    await byTestId(wrapper, 'menu-file-export').trigger('click');
    await flushPromises();
    const select = byTestId(wrapper, 'export-domain');
    expect(select.findAll('option').map((o) => o.text())).toEqual(['vgtHVMDomain', 'win7', 'ubuntu']);
    expect(fake.callsTo('domain.export')).toEqual([{ name: 'vgtHVMDomain', format: 'xl' }]);
    await select.setValue('ubuntu');
    await flushPromises();
    expect(fake.callsTo('domain.export').at(-1)).toEqual({ name: 'ubuntu', format: 'xl' });
    expect(byTestId(wrapper, 'export-preview').text()).toBe('<xl of ubuntu>');
  });

  it('Download saves the text under the suggested name through a Blob URL', async () => {
    const { wrapper } = await setup();
    await openFromContextMenu(wrapper, 'ubuntu');
    await byTestId(wrapper, 'export-format-mdevctl').setValue(true);
    await flushPromises();
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob);
      return 'blob:export-test';
    });
    const revoked = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    await byTestId(wrapper, 'export-download').trigger('click');
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toBe('ubuntu.mdevctl');
    expect(clicked[0]!.getAttribute('href')).toBe('blob:export-test');
    expect(clicked[0]!.isConnected).toBe(false);
    expect(await blobs[0]!.text()).toBe('<mdevctl of ubuntu>');
    expect(blobs[0]!.type).toBe('application/json;charset=utf-8');
    await new Promise((r) => setTimeout(r, 0));
    expect(revoked).toHaveBeenCalledWith('blob:export-test');
  });

  it('Copy puts the text on the clipboard', async () => {
    const { wrapper } = await setup();
    const writeText = vi.fn(async () => undefined);
    vi.spyOn(navigator, 'clipboard', 'get').mockReturnValue({ writeText } as unknown as Clipboard);
    await openFromContextMenu(wrapper, 'ubuntu');
    await byTestId(wrapper, 'export-copy').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith('<xl of ubuntu>');
    expect(byTestId(wrapper, 'export-copy').text()).toBe('Copied');
  });

  it("shows a refusal in the host's words, with Download and Copy disabled", async () => {
    const { wrapper } = await setup({
      'domain.export': (p) => {
        if (p.format === 'xl') return exported(p);
        throw new ApiError('config', 'ubuntu has no vGPU (vgt=1 is not set), so there is no mdev to describe; set vgt = 1 or export it as xl');
      },
    });
    await openFromContextMenu(wrapper, 'ubuntu');
    await byTestId(wrapper, 'export-format-qemu').setValue(true);
    await flushPromises();
    expect(byTestId(wrapper, 'export-error').text()).toContain('ubuntu has no vGPU (vgt=1 is not set)');
    expect(byTestId(wrapper, 'export-preview').text()).toBe('');
    expect(byTestId(wrapper, 'export-download').attributes('disabled')).toBeDefined();
    expect(byTestId(wrapper, 'export-copy').attributes('disabled')).toBeDefined();
    // Back to a format that works: the error goes.
    await byTestId(wrapper, 'export-format-xl').setValue(true);
    await flushPromises();
    expect(byTestId(wrapper, 'export-error').exists()).toBe(false);
    expect(byTestId(wrapper, 'export-download').attributes('disabled')).toBeUndefined();
  });

  it('shows only the answer to the newest request when answers arrive out of order', async () => {
    const pending = new Map<string, (r: Results['domain.export']) => void>();
    const { wrapper } = await setup({ 'domain.export': (p) => new Promise((resolve) => pending.set(p.format, resolve)) });
    await openFromContextMenu(wrapper, 'ubuntu');
    await byTestId(wrapper, 'export-format-libvirt').setValue(true);
    await flushPromises();
    expect(byTestId(wrapper, 'export-preview').text()).toBe('Exporting…');
    pending.get('libvirt')!(exported({ name: 'ubuntu', format: 'libvirt' }));
    await flushPromises();
    pending.get('xl')!(exported({ name: 'ubuntu', format: 'xl' }));
    await flushPromises();
    expect(byTestId(wrapper, 'export-preview').text()).toBe('<libvirt of ubuntu>');
  });

  it('closes with Close or Escape', async () => {
    const { wrapper, ui } = await setup();
    await openFromContextMenu(wrapper, 'ubuntu');
    await byTestId(wrapper, 'export-close').trigger('click');
    expect(ui.exportRequest).toBeNull();
    await openFromContextMenu(wrapper, 'ubuntu');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await flushPromises();
    expect(byTestId(wrapper, 'export-dialog').exists()).toBe(false);
  });
});
