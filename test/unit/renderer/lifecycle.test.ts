// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { defineComponent, h } from 'vue';
import { ApiError, type DomainInfo } from '../../../src/shared/api';
import LibraryPanel from '../../../src/renderer/components/LibraryPanel.vue';
import ErrorBanner from '../../../src/renderer/components/ErrorBanner.vue';
import DomainContextMenu from '../../../src/renderer/components/DomainContextMenu.vue';
import DestroyDialog from '../../../src/renderer/components/DestroyDialog.vue';
import ShutdownTimeoutDialog from '../../../src/renderer/components/ShutdownTimeoutDialog.vue';
import { useDomainsStore } from '../../../src/renderer/stores/domains';
import { useLifecycleStore } from '../../../src/renderer/stores/lifecycle';
import { useUiStore } from '../../../src/renderer/stores/ui';
import { FakeClient, type Handlers } from './fake-client';
import { domain, sampleDomains, vgpu } from './fixtures';
import { mountWith } from './mount';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

/** The menu and dialogs, as App shows them. */
const Overlays = defineComponent(() => {
  const ui = useUiStore();
  const lifecycle = useLifecycleStore();
  return () => [
    ui.domainMenu ? h(DomainContextMenu, { request: ui.domainMenu, key: `${ui.domainMenu.x},${ui.domainMenu.y}` }) : null,
    lifecycle.confirmingDestroy ? h(DestroyDialog, { domain: lifecycle.confirmingDestroy }) : null,
    lifecycle.timedOut ? h(ShutdownTimeoutDialog, { timeout: lifecycle.timedOut }) : null,
  ];
});

async function setup(list: DomainInfo[] = sampleDomains(), handlers: Handlers = {}) {
  const fake = new FakeClient({ 'domains.list': () => list, ...handlers });
  const mounted = mountWith(fake, LibraryPanel, ErrorBanner, Overlays);
  wrapper = mounted.wrapper as VueWrapper;
  await useDomainsStore(mounted.pinia).refresh();
  await flushPromises();
  return { fake, wrapper, ui: useUiStore(mounted.pinia) };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);
const buttons = (w: VueWrapper, row: string) =>
  byTestId(w, `library-row-${row}`)
    .findAll('.actions button')
    .map((b) => b.text());

/** A deferred answer the test settles. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

describe('xl lifecycle in the library', () => {
  it('offers the actions each state allows, with the state as a word and xl flags as its tooltip', async () => {
    const list = [
      ...sampleDomains(),
      domain({ name: 'held', domid: 5, state: 'paused', vgpu: vgpu() }),
      domain({ name: 'broken', domid: 6, state: 'crashed' }),
    ];
    const { wrapper } = await setup(list);
    expect(buttons(wrapper, 'vgtHVMDomain')).toEqual(['Pause', 'Shut down', 'Reboot', 'Show', 'Edit config', 'Monitors…', 'Destroy…']);
    expect(buttons(wrapper, 'held')).toEqual(['Resume', 'Show', 'Edit config', 'Monitors…', 'Destroy…']);
    expect(buttons(wrapper, 'broken')).toEqual(['Show', 'Edit config', 'Monitors…', 'Destroy…']);
    expect(buttons(wrapper, 'ubuntu')).toEqual(['Start', 'Edit config', 'Monitors…', 'Remove']);
    const badge = (name: string) => byTestId(wrapper, `library-row-${name}`).find('[data-testid="state-badge"]');
    expect(badge('held').text()).toBe('Paused');
    expect(badge('held').attributes('title')).toBe('xl list state: --p---');
    expect(badge('broken').text()).toBe('Crashed');
    expect(badge('vgtHVMDomain').text()).toBe('Running');
  });

  it('Pause and Resume call domain.pause / domain.unpause with the domid', async () => {
    const list = sampleDomains();
    const { fake, wrapper } = await setup(list, {
      'domain.pause': ({ ref }) => {
        Object.assign(list[1]!, { state: 'paused', xlState: '--p---' });
        return { domid: ref as number };
      },
      'domain.unpause': ({ ref }) => {
        Object.assign(list[1]!, { state: 'running', xlState: 'r-----' });
        return { domid: ref as number };
      },
    });
    await byTestId(wrapper, 'pause-vgtHVMDomain').trigger('click');
    await flushPromises();
    expect(fake.callsTo('domain.pause')).toEqual([{ ref: 1 }]);
    expect(byTestId(wrapper, 'library-row-vgtHVMDomain').text()).toContain('Paused');
    await byTestId(wrapper, 'resume-vgtHVMDomain').trigger('click');
    await flushPromises();
    expect(fake.callsTo('domain.unpause')).toEqual([{ ref: 1 }]);
    expect(byTestId(wrapper, 'pause-vgtHVMDomain').exists()).toBe(true);
  });

  it('Shut down waits for the guest: "Shutting down…" meanwhile, only Destroy stays possible', async () => {
    const answer = deferred<{ domid: number }>();
    const { fake, wrapper } = await setup(sampleDomains(), { 'domain.shutdown': () => answer.promise });
    await byTestId(wrapper, 'shutdown-vgtHVMDomain').trigger('click');
    await flushPromises();
    expect(fake.callsTo('domain.shutdown')).toEqual([{ ref: 1, wait: true, timeoutS: 10 }]);
    expect(byTestId(wrapper, 'status-vgtHVMDomain').text()).toBe('Shutting down…');
    expect(byTestId(wrapper, 'destroy-vgtHVMDomain').attributes('disabled')).toBeUndefined();
    expect(byTestId(wrapper, 'edit-vgtHVMDomain').attributes('disabled')).toBeDefined();
    answer.resolve({ domid: 1 });
    await flushPromises();
    expect(byTestId(wrapper, 'status-vgtHVMDomain').exists()).toBe(false);
  });

  it('shows a pending request the host reports, whoever made it (xl shutdown / xl reboot in the Dom0 console)', async () => {
    const list = sampleDomains();
    Object.assign(list[1]!, { shutdownRequest: 'reboot' });
    Object.assign(list[2]!, { shutdownRequest: 'poweroff' });
    const { wrapper } = await setup(list);
    expect(byTestId(wrapper, 'status-vgtHVMDomain').text()).toBe('Rebooting…');
    expect(byTestId(wrapper, 'status-win7').text()).toBe('Shutting down…');
    expect(buttons(wrapper, 'win7')).toEqual(['Show', 'Edit config', 'Monitors…', 'Destroy…']);
  });

  it('a shutdown that times out asks: Keep waiting asks the guest again, Destroy destroys', async () => {
    const message = "domain 'vgtHVMDomain' (domid 1) did not shut down within 10 s: the guest has not acted on the request.";
    const { fake, wrapper } = await setup(sampleDomains(), {
      'domain.shutdown': () => Promise.reject(new ApiError('timeout', message)),
      'domain.destroy': ({ ref }) => ({ domid: ref as number }),
    });
    await byTestId(wrapper, 'shutdown-vgtHVMDomain').trigger('click');
    await flushPromises();
    const dialog = byTestId(wrapper, 'shutdown-timeout-dialog');
    expect(dialog.find('h2').text()).toBe('vgtHVMDomain did not shut down within 10 s');
    expect(dialog.text()).toContain(message);
    expect(byTestId(wrapper, 'error-banner').exists()).toBe(false);

    await byTestId(wrapper, 'shutdown-timeout-wait').trigger('click');
    await flushPromises();
    expect(fake.callsTo('domain.shutdown')).toHaveLength(2);
    await byTestId(wrapper, 'shutdown-timeout-destroy').trigger('click');
    await flushPromises();
    expect(fake.callsTo('domain.destroy')).toEqual([{ ref: 1 }]);
    expect(byTestId(wrapper, 'shutdown-timeout-dialog').exists()).toBe(false);
  });

  it('after a timeout the status rests on a list read then, not on a push that may have come before the request', async () => {
    // The host registers the request; no push follows. Only a list read after the timeout shows it.
    let asked = false;
    const pending = sampleDomains();
    Object.assign(pending[1]!, { shutdownRequest: 'poweroff' });
    const { wrapper } = await setup(sampleDomains(), {
      'domains.list': () => (asked ? pending : sampleDomains()),
      'domain.shutdown': () => {
        asked = true;
        return Promise.reject(new ApiError('timeout', 'did not shut down within 10 s'));
      },
    });
    await byTestId(wrapper, 'shutdown-vgtHVMDomain').trigger('click');
    await flushPromises();
    expect(byTestId(wrapper, 'shutdown-timeout-dialog').exists()).toBe(true);
    expect(byTestId(wrapper, 'status-vgtHVMDomain').text()).toBe('Shutting down…');
  });

  it('Reboot waits too and reports other refusals in the banner', async () => {
    const { fake, wrapper } = await setup(sampleDomains(), {
      'domain.reboot': () => Promise.reject(new ApiError('state', "cannot reboot domain 'win7' (domid 3): it is paused")),
    });
    await byTestId(wrapper, 'reboot-win7').trigger('click');
    await flushPromises();
    expect(fake.callsTo('domain.reboot')).toEqual([{ ref: 3, wait: true, timeoutS: 10 }]);
    expect(byTestId(wrapper, 'error-banner').text()).toContain("Reboot win7: cannot reboot domain 'win7' (domid 3): it is paused");
  });
});

describe('domain context menu', () => {
  it('opens on a right-click on a library row with the same actions, Export… and Console', async () => {
    const { fake, wrapper, ui } = await setup(sampleDomains(), { 'domain.pause': ({ ref }) => ({ domid: ref as number }) });
    await byTestId(wrapper, 'library-row-vgtHVMDomain').trigger('contextmenu', { clientX: 40, clientY: 60 });
    await flushPromises();
    const menu = byTestId(wrapper, 'domain-menu');
    expect(menu.findAll('[role="menuitem"]').map((b) => b.text())).toEqual(['Pause', 'Shut down', 'Reboot', 'Destroy…', 'Clone…', 'Export…', 'Console']);
    expect(document.activeElement?.textContent?.trim()).toBe('Pause');
    await byTestId(wrapper, 'domain-menu-pause').trigger('click');
    await flushPromises();
    expect(fake.callsTo('domain.pause')).toEqual([{ ref: 1 }]);
    expect(byTestId(wrapper, 'domain-menu').exists()).toBe(false);

    await byTestId(wrapper, 'library-row-win7').trigger('contextmenu', { clientX: 40, clientY: 80 });
    await byTestId(wrapper, 'domain-menu-console').trigger('click');
    expect(ui.vmTabs.win7).toBe('serial');
  });

  it('moves between items with the arrow keys and closes on Escape; Domain-0 has no menu', async () => {
    const { wrapper } = await setup();
    await byTestId(wrapper, 'library-row-vgtHVMDomain').trigger('contextmenu', { clientX: 10, clientY: 10 });
    await flushPromises();
    const menu = byTestId(wrapper, 'domain-menu');
    await menu.trigger('keydown', { key: 'ArrowUp' });
    expect(document.activeElement?.textContent?.trim()).toBe('Console');
    await menu.trigger('keydown', { key: 'ArrowDown' });
    expect(document.activeElement?.textContent?.trim()).toBe('Pause');
    await menu.trigger('keydown', { key: 'Escape' });
    expect(byTestId(wrapper, 'domain-menu').exists()).toBe(false);

    await byTestId(wrapper, 'library-row-Domain-0').trigger('contextmenu');
    expect(byTestId(wrapper, 'domain-menu').exists()).toBe(false);
  });

  it('Destroy… from the menu asks first', async () => {
    const { fake, wrapper } = await setup(sampleDomains(), { 'domain.destroy': ({ ref }) => ({ domid: ref as number }) });
    await byTestId(wrapper, 'library-row-win7').trigger('contextmenu', { clientX: 10, clientY: 10 });
    await byTestId(wrapper, 'domain-menu-destroy').trigger('click');
    await flushPromises();
    expect(byTestId(wrapper, 'destroy-dialog').text()).toContain('Destroy win7?');
    await byTestId(wrapper, 'destroy-confirm').trigger('click');
    await flushPromises();
    expect(fake.callsTo('domain.destroy')).toEqual([{ ref: 3 }]);
  });
});
