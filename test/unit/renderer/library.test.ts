// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { defineComponent, h } from 'vue';
import { ApiError, type DomainInfo } from '../../../src/shared/api';
import LibraryPanel from '../../../src/renderer/components/LibraryPanel.vue';
import ErrorBanner from '../../../src/renderer/components/ErrorBanner.vue';
import DestroyDialog from '../../../src/renderer/components/DestroyDialog.vue';
import { useDomainsStore } from '../../../src/renderer/stores/domains';
import { useLifecycleStore } from '../../../src/renderer/stores/lifecycle';
import { FakeClient } from './fake-client';
import { domain, sampleDomains } from './fixtures';
import { mountWith } from './mount';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

/** The destroy confirmation, as App shows it. */
const Dialogs = defineComponent(() => {
  const lifecycle = useLifecycleStore();
  return () => (lifecycle.confirmingDestroy ? h(DestroyDialog, { domain: lifecycle.confirmingDestroy }) : null);
});

async function setup(list: DomainInfo[] = sampleDomains(), handlers: ConstructorParameters<typeof FakeClient>[0] = {}) {
  const fake = new FakeClient({ 'domains.list': () => list, ...handlers });
  const mounted = mountWith(fake, LibraryPanel, ErrorBanner, Dialogs);
  wrapper = mounted.wrapper as VueWrapper;
  await useDomainsStore(mounted.pinia).refresh();
  await flushPromises();
  return { fake, wrapper, pinia: mounted.pinia };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);

async function chooseFile(w: VueWrapper, name: string, text: string): Promise<void> {
  const input = byTestId(w, 'import-input');
  Object.defineProperty(input.element, 'files', { value: [new File([text], name)], configurable: true });
  await input.trigger('change');
  await flushPromises();
}

describe('VM library', () => {
  it('renders Domain-0 first, then every domain from domains.list with domid, state and vGPU', async () => {
    const { wrapper } = await setup();
    const rows = wrapper.findAll('[data-testid^="library-row-"]');
    expect(rows.map((r) => r.attributes('data-testid'))).toEqual(['library-row-Domain-0', 'library-row-vgtHVMDomain', 'library-row-win7', 'library-row-ubuntu']);

    const vm = byTestId(wrapper, 'library-row-vgtHVMDomain').text();
    expect(vm).toContain('Running');
    expect(vm).toContain('2048 MiB');
    expect(vm).toContain('aperture 128 MiB · high GM 384 MiB · 4 fences');

    const stopped = byTestId(wrapper, 'library-row-ubuntu').text();
    expect(stopped).toContain('—');
    expect(stopped).toContain('Stopped');
    // Dom0 is the host: nothing to start, destroy, edit or remove.
    expect(byTestId(wrapper, 'library-row-Domain-0').findAll('button')).toHaveLength(0);
  });

  it('shows Domain-0 even before the host lists it', async () => {
    const { wrapper } = await setup([domain({ name: 'ubuntu' })]);
    const rows = wrapper.findAll('[data-testid^="library-row-"]');
    expect(rows.map((r) => r.attributes('data-testid'))).toEqual(['library-row-Domain-0', 'library-row-ubuntu']);
  });

  it('offers Start only for stopped domains and Destroy only for running ones', async () => {
    const { wrapper } = await setup();
    expect(byTestId(wrapper, 'start-ubuntu').exists()).toBe(true);
    expect(byTestId(wrapper, 'destroy-ubuntu').exists()).toBe(false);
    expect(byTestId(wrapper, 'destroy-vgtHVMDomain').exists()).toBe(true);
    expect(byTestId(wrapper, 'start-vgtHVMDomain').exists()).toBe(false);
    expect(byTestId(wrapper, 'edit-ubuntu').exists()).toBe(true);
  });

  it('Start calls domain.start with the name and re-reads the list', async () => {
    const list = sampleDomains();
    const { fake, wrapper } = await setup(list, {
      'domain.start': ({ name }) => {
        const d = list.find((x) => x.name === name)!;
        Object.assign(d, { domid: 4, state: 'running' });
        return { domid: 4 };
      },
    });
    await byTestId(wrapper, 'start-ubuntu').trigger('click');
    await flushPromises();
    expect(fake.callsTo('domain.start')).toEqual([{ name: 'ubuntu' }]);
    expect(byTestId(wrapper, 'destroy-ubuntu').exists()).toBe(true);
    expect(byTestId(wrapper, 'library-row-ubuntu').text()).toContain('4');
  });

  it("Destroy asks first; the dialog's Destroy (or Enter) calls domain.destroy with the domid", async () => {
    const { fake, wrapper } = await setup(sampleDomains(), { 'domain.destroy': ({ ref }) => ({ domid: ref as number }) });
    await byTestId(wrapper, 'destroy-win7').trigger('click');
    await flushPromises();
    const dialog = byTestId(wrapper, 'destroy-dialog');
    expect(dialog.text()).toContain('Destroy win7?');
    expect(dialog.text()).toContain('domid 3');
    expect(document.activeElement).toBe(dialog.element);
    expect(fake.callsTo('domain.destroy')).toEqual([]);
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await flushPromises();
    expect(fake.callsTo('domain.destroy')).toEqual([{ ref: 3 }]);
    expect(byTestId(wrapper, 'destroy-dialog').exists()).toBe(false);

    await byTestId(wrapper, 'destroy-vgtHVMDomain').trigger('click');
    await byTestId(wrapper, 'destroy-confirm').trigger('click');
    await flushPromises();
    expect(fake.callsTo('domain.destroy')).toEqual([{ ref: 3 }, { ref: 1 }]);
  });

  it('Escape or Cancel in the destroy dialog keeps the domain', async () => {
    const { fake, wrapper } = await setup(sampleDomains(), { 'domain.destroy': ({ ref }) => ({ domid: ref as number }) });
    await byTestId(wrapper, 'destroy-win7').trigger('click');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await flushPromises();
    expect(byTestId(wrapper, 'destroy-dialog').exists()).toBe(false);
    await byTestId(wrapper, 'destroy-win7').trigger('click');
    await byTestId(wrapper, 'destroy-cancel').trigger('click');
    await flushPromises();
    expect(byTestId(wrapper, 'destroy-dialog').exists()).toBe(false);
    expect(fake.callsTo('domain.destroy')).toEqual([]);
  });

  it('Remove asks first and only then calls library.remove', async () => {
    const { fake, wrapper } = await setup(sampleDomains(), { 'library.remove': ({ name }) => ({ name }) });
    await byTestId(wrapper, 'remove-ubuntu').trigger('click');
    expect(fake.callsTo('library.remove')).toEqual([]);
    await byTestId(wrapper, 'remove-confirm-ubuntu').trigger('click');
    await flushPromises();
    expect(fake.callsTo('library.remove')).toEqual([{ name: 'ubuntu' }]);
  });

  it('follows the domains event', async () => {
    const { fake, wrapper } = await setup();
    fake.emit('domains', [domain({ name: 'Domain-0', domid: 0, state: 'running' }), domain({ name: 'fresh', domid: 7, state: 'running' })]);
    await flushPromises();
    expect(byTestId(wrapper, 'library-row-ubuntu').exists()).toBe(false);
    expect(byTestId(wrapper, 'destroy-fresh').exists()).toBe(true);
  });

  it('imports the chosen file as { fileName, text }', async () => {
    const { fake, wrapper } = await setup(sampleDomains(), { 'library.import': () => ({ name: 'vgtHVMDomain2' }) });
    await chooseFile(wrapper, 'xlexample.hvm', "name = 'vgtHVMDomain2'\nvgt=1\n");
    expect(fake.callsTo('library.import')).toEqual([{ fileName: 'xlexample.hvm', text: "name = 'vgtHVMDomain2'\nvgt=1\n" }]);
    expect(byTestId(wrapper, 'error-banner').exists()).toBe(false);
  });

  it("shows an import error with the server's message in a dismissable banner", async () => {
    const message = 'xlexample.hvm:19: vgt_low_gm_sz=512: only 256 MiB of aperture is free';
    const { wrapper } = await setup(sampleDomains(), {
      'library.import': () => {
        throw new ApiError('no_resources', message);
      },
    });
    await chooseFile(wrapper, 'xlexample.hvm', 'vgt_low_gm_sz=512\n');
    const banner = byTestId(wrapper, 'error-banner');
    expect(banner.exists()).toBe(true);
    expect(banner.text()).toContain(message);

    await byTestId(wrapper, 'error-dismiss').trigger('click');
    expect(byTestId(wrapper, 'error-banner').exists()).toBe(false);
  });

  it("shows a failed start's reason in the banner", async () => {
    const { wrapper } = await setup(sampleDomains(), {
      'domain.start': () => {
        throw new ApiError('no_resources', 'not enough fences: ubuntu wants 4, 0 free');
      },
    });
    await byTestId(wrapper, 'start-ubuntu').trigger('click');
    await flushPromises();
    expect(byTestId(wrapper, 'error-banner').text()).toContain('not enough fences: ubuntu wants 4, 0 free');
  });

  it('shows the message of a plain { code, message } rejection (what the Electron preload sends)', async () => {
    const { wrapper } = await setup(sampleDomains(), {
      'domain.destroy': () => Promise.reject({ name: 'ApiError', code: 'busy', message: 'win7 is being reset' }),
    });
    await byTestId(wrapper, 'destroy-win7').trigger('click');
    await byTestId(wrapper, 'destroy-confirm').trigger('click');
    await flushPromises();
    expect(byTestId(wrapper, 'error-banner').text()).toContain('Destroy win7: win7 is being reset');
  });
});
