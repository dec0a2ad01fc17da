// @vitest-environment happy-dom
/** New VM, Clone, the duplicate-import banner, Start disabled with a reason, shortcuts and menu keys. */
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { ApiError, type DomainInfo, type NewVmForm, type VgpuTypeInfo } from '../../../src/shared/api';
import LibraryPanel from '../../../src/renderer/components/LibraryPanel.vue';
import MenuBar from '../../../src/renderer/components/MenuBar.vue';
import ErrorBanner from '../../../src/renderer/components/ErrorBanner.vue';
import { useDomainsStore } from '../../../src/renderer/stores/domains';
import { useLibraryUiStore } from '../../../src/renderer/stores/library-ui';
import { useUiStore } from '../../../src/renderer/stores/ui';
import { FakeClient, type Handlers } from './fake-client';
import { domain, sampleDomains } from './fixtures';
import { mountWith } from './mount';

const MiB = 1 << 20;
let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

const type = (name: string, low: number, available: number, reason?: string): VgpuTypeInfo => ({
  name,
  lowGmBytes: low * MiB,
  highGmBytes: 4 * low * MiB,
  fences: 4,
  weight: 4,
  resolution: { width: 1920, height: 1200 },
  availableInstances: available,
  description: '',
  ...(reason ? { unavailableReason: reason } : {}),
});

async function setup(list: DomainInfo[] = sampleDomains(), handlers: Handlers = {}) {
  const fake = new FakeClient({
    'domains.list': () => list,
    'gpu.info': () => ({ apertureBytes: 512 * MiB, totalGmBytes: 4096 * MiB, fences: 32, freeLowGmBytes: 64 * MiB, freeHighGmBytes: 2048 * MiB, freeFences: 20, liveVgpus: 2, foreground: 0 }),
    'gpu.types': () => [type('GVTg_V5_8', 64, 1), type('GVTg_V5_4', 128, 0, 'needs 128 MiB aperture (low GM), 64 MiB free')],
    'settings.get': () => ({ hvmBootForeground: true, apertureMiB: 512 as const }),
    ...handlers,
  });
  const mounted = mountWith(fake, MenuBar, LibraryPanel, ErrorBanner);
  wrapper = mounted.wrapper as VueWrapper;
  await useDomainsStore(mounted.pinia).refresh();
  await flushPromises();
  return { fake, wrapper, libraryUi: useLibraryUiStore(mounted.pinia), ui: useUiStore(mounted.pinia) };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);
const key = (k: string, init: KeyboardEventInit = {}) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
/** Let the dialog's debounced check run. */
const settle = async () => {
  await new Promise((r) => setTimeout(r, 200));
  await flushPromises();
};

describe('Start disabled with a reason', () => {
  it('a stopped domain whose vGPU does not fit: Start disabled, the shortfall in its tooltip and as text; accessible names name the VM', async () => {
    const list = [...sampleDomains(), domain({ name: 'big', startBlocked: 'needs 512 MiB aperture (low GM), 64 MiB free' })];
    const { wrapper } = await setup(list);
    const start = byTestId(wrapper, 'start-big');
    expect(start.attributes('disabled')).toBeDefined();
    expect(start.attributes('title')).toBe('Cannot start: needs 512 MiB aperture (low GM), 64 MiB free');
    expect(start.attributes('aria-label')).toBe('Start big');
    expect(byTestId(wrapper, 'start-blocked-big').text()).toBe('Cannot start: needs 512 MiB aperture (low GM), 64 MiB free');
    expect(byTestId(wrapper, 'start-ubuntu').attributes('disabled')).toBeUndefined();
    expect(byTestId(wrapper, 'start-blocked-ubuntu').exists()).toBe(false);
    expect(byTestId(wrapper, 'pause-vgtHVMDomain').attributes('aria-label')).toBe('Pause vgtHVMDomain');
    expect(byTestId(wrapper, 'destroy-vgtHVMDomain').attributes('aria-label')).toBe('Destroy vgtHVMDomain');
    expect(byTestId(wrapper, 'edit-big').attributes('aria-label')).toBe('Edit config of big');
  });
});

describe('duplicate import banner', () => {
  async function chooseFile(w: VueWrapper, name: string, text: string): Promise<void> {
    const input = byTestId(w, 'import-input');
    Object.defineProperty(input.element, 'files', { value: [new File([text], name)], configurable: true });
    await input.trigger('change');
    await flushPromises();
  }
  const taken = () => {
    throw new ApiError('exists', "a domain named 'ubuntu' is already in the library: import it as a copy (under a new name) or with replace (overwriting it)");
  };

  it('offers Import as a copy (library.importCopy) and Import with replace (library.import replace: true)', async () => {
    const { fake, wrapper } = await setup(sampleDomains(), {
      'library.import': (p) => (p.replace ? { name: 'ubuntu' } : taken()),
      'library.importCopy': () => ({ name: 'ubuntu-2', changed: [] }),
    });
    await chooseFile(wrapper, 'ubuntu.cfg', "name = 'ubuntu'\n");
    expect(byTestId(wrapper, 'import-conflict').text()).toContain("ubuntu.cfg: a domain named 'ubuntu' is already in the library");
    expect(byTestId(wrapper, 'error-banner').exists()).toBe(false);
    await byTestId(wrapper, 'import-as-copy').trigger('click');
    await flushPromises();
    expect(fake.callsTo('library.importCopy')).toEqual([{ fileName: 'ubuntu.cfg', text: "name = 'ubuntu'\n" }]);
    expect(byTestId(wrapper, 'import-conflict').exists()).toBe(false);

    await chooseFile(wrapper, 'ubuntu.cfg', "name = 'ubuntu'\nmemory = 1024\n");
    await byTestId(wrapper, 'import-replace').trigger('click');
    await flushPromises();
    expect(fake.callsTo('library.import').at(-1)).toEqual({ fileName: 'ubuntu.cfg', text: "name = 'ubuntu'\nmemory = 1024\n", replace: true });
    expect(byTestId(wrapper, 'import-conflict').exists()).toBe(false);
  });

  it('a running domain: replace is disabled and the banner says why; a refusal from the host lands in the error banner', async () => {
    const { wrapper } = await setup(sampleDomains(), {
      'library.import': () => {
        throw new ApiError('exists', "a domain named 'win7' is already in the library: import it as a copy (under a new name) or with replace (overwriting it)");
      },
    });
    await chooseFile(wrapper, 'w.cfg', "name = 'win7'\n");
    expect(byTestId(wrapper, 'import-replace').attributes('disabled')).toBeDefined();
    expect(byTestId(wrapper, 'import-conflict-running').text()).toBe('win7 is running: replacing its config is refused until it is shut down.');
    await byTestId(wrapper, 'import-conflict-cancel').trigger('click');
    expect(byTestId(wrapper, 'import-conflict').exists()).toBe(false);
  });
});

describe('New VM dialog', () => {
  it('Ctrl+N opens it; a type with none left is disabled and says what is short; problems show on their fields and block Create', async () => {
    const checks: NewVmForm[] = [];
    const { fake, wrapper } = await setup(sampleDomains(), {
      'library.create': ({ form, dryRun }) => {
        if (dryRun) checks.push(form);
        const problems = form.memoryMiB < 16 ? [{ field: 'memoryMiB' as const, message: `must be 16..65536 MiB, got ${form.memoryMiB}` }] : [];
        return { name: form.name, text: `name = '${form.name}'\nmemory = ${form.memoryMiB}\n`, problems };
      },
    });
    key('n', { ctrlKey: true });
    await flushPromises();
    await settle();
    expect(byTestId(wrapper, 'new-vm-dialog').exists()).toBe(true);
    expect(byTestId(wrapper, 'new-vm-name').element).toHaveProperty('value', 'vm1');
    const v54 = byTestId(wrapper, 'new-vm-type-GVTg_V5_4');
    expect(v54.attributes('disabled')).toBeDefined();
    expect(v54.text()).toBe('GVTg_V5_4 — none left: needs 128 MiB aperture (low GM), 64 MiB free');
    // The type with an instance left is the default.
    expect(byTestId(wrapper, 'new-vm-type').element).toHaveProperty('value', 'GVTg_V5_8');
    expect(byTestId(wrapper, 'new-vm-preview').text()).toContain("name = 'vm1'");

    await byTestId(wrapper, 'new-vm-memory').setValue('8');
    await settle();
    expect(byTestId(wrapper, 'new-vm-problem-memoryMiB').text()).toBe('must be 16..65536 MiB, got 8');
    expect(byTestId(wrapper, 'new-vm-create').attributes('disabled')).toBeDefined();
    await byTestId(wrapper, 'new-vm-memory').setValue('');
    await settle();
    expect(byTestId(wrapper, 'new-vm-problem-memoryMiB').text()).toBe('must be a whole number');

    await byTestId(wrapper, 'new-vm-memory').setValue('2048');
    await settle();
    expect(byTestId(wrapper, 'new-vm-create').attributes('disabled')).toBeUndefined();
    await byTestId(wrapper, 'new-vm-create').trigger('click');
    await flushPromises();
    const saved = fake.callsTo('library.create').filter((c) => !(c as { dryRun?: boolean }).dryRun);
    expect(saved).toEqual([{ form: { name: 'vm1', memoryMiB: 2048, vcpus: 1, vgpu: { kind: 'type', type: 'GVTg_V5_8' }, display: { kind: 'builtin' }, workload: 'desktop' }, dryRun: false }]);
    expect(byTestId(wrapper, 'new-vm-dialog').exists()).toBe(false);
    expect(checks.length).toBeGreaterThan(1);
  });
});

describe('Clone and shortcuts', () => {
  it('Clone… (File menu, for the selected VM) proposes the free "<name>-clone" and calls library.clone', async () => {
    const { fake, wrapper, libraryUi } = await setup(sampleDomains(), {
      'library.freeName': ({ name }) => ({ name: `${name}-clone` }),
      'library.clone': ({ newName }) => ({ name: newName, changed: [] }),
    });
    await byTestId(wrapper, 'library-row-ubuntu').trigger('pointerdown');
    expect(libraryUi.selected).toBe('ubuntu');
    await byTestId(wrapper, 'menu-file').trigger('click');
    await byTestId(wrapper, 'menu-file-clone').trigger('click');
    await flushPromises();
    expect(byTestId(wrapper, 'clone-name').element).toHaveProperty('value', 'ubuntu-clone');
    await byTestId(wrapper, 'clone-name').setValue('win7');
    expect(byTestId(wrapper, 'clone-problem').text()).toBe("a domain named 'win7' already exists");
    expect(byTestId(wrapper, 'clone-confirm').attributes('disabled')).toBeDefined();
    await byTestId(wrapper, 'clone-name').setValue('ubuntu-2');
    expect(byTestId(wrapper, 'clone-confirm').attributes('aria-label')).toBe('Clone ubuntu');
    await byTestId(wrapper, 'clone-confirm').trigger('click');
    await flushPromises();
    expect(fake.callsTo('library.clone')).toEqual([{ name: 'ubuntu', newName: 'ubuntu-2' }]);
    expect(byTestId(wrapper, 'clone-dialog').exists()).toBe(false);
  });

  it('Ctrl+E edits the selected VM, Ctrl+O opens the import, and the menus list the shortcuts', async () => {
    const { wrapper, libraryUi, ui } = await setup();
    libraryUi.selected = 'win7';
    key('e', { ctrlKey: true });
    expect(ui.editing).toBe('win7');
    ui.editing = null;
    const before = ui.importRequests;
    key('o', { ctrlKey: true });
    expect(ui.importRequests).toBe(before + 1);
    await byTestId(wrapper, 'menu-file').trigger('click');
    expect(byTestId(wrapper, 'menu-file-new-vm').text()).toContain('Ctrl+N');
    expect(byTestId(wrapper, 'menu-file-edit').text()).toContain('Edit config of win7');
    expect(byTestId(wrapper, 'menu-file-edit').attributes('aria-keyshortcuts')).toBe('Control+E');
  });

  it('arrow keys move between menu items and menus; Escape gives focus back to the title', async () => {
    const { wrapper } = await setup();
    const title = byTestId(wrapper, 'menu-file');
    await title.trigger('keydown', { key: 'ArrowDown' });
    await flushPromises();
    expect(document.activeElement?.getAttribute('data-testid')).toBe('menu-file-new-vm');
    const list = wrapper.find('[role="menu"]');
    await list.trigger('keydown', { key: 'ArrowDown' });
    expect(document.activeElement?.getAttribute('data-testid')).toBe('menu-file-import');
    await list.trigger('keydown', { key: 'ArrowUp' });
    await list.trigger('keydown', { key: 'ArrowUp' });
    expect(document.activeElement?.getAttribute('data-testid')).toBe('menu-file-export');
    await list.trigger('keydown', { key: 'Home' });
    expect(document.activeElement?.getAttribute('data-testid')).toBe('menu-file-new-vm');
    await list.trigger('keydown', { key: 'ArrowRight' });
    await flushPromises();
    expect(document.activeElement?.getAttribute('data-testid')).toBe('menu-display-item-0');
    await wrapper.find('[role="menu"]').trigger('keydown', { key: 'Escape' });
    await flushPromises();
    expect(wrapper.find('[role="menu"]').exists()).toBe(false);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('menu-display');
  });
});
