// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { defineComponent, h, ref } from 'vue';
import type { VgpuTypeInfo } from '../../../src/shared/api';
import { checkConfigText } from '../../../src/main/vm/config-check';
import ConfigEditor from '../../../src/renderer/components/ConfigEditor.vue';
import ConfigForm from '../../../src/renderer/components/ConfigForm.vue';
import { LINT_DELAY_MS } from '../../../src/renderer/lib/config-lint';
import { useDomainsStore } from '../../../src/renderer/stores/domains';
import { FakeClient } from './fake-client';
import { sampleDomains } from './fixtures';
import { mountWith } from './mount';
import EXAMPLE from '../../../resources/examples/xlexample.hvm?raw';

const configOf = (name: string): string => `${EXAMPLE.replace("name = 'vgtHVMDomain'", `name = '${name}'`)}my_custom_key = "x" # kept\n`;
const TYPES: VgpuTypeInfo[] = [
  { name: 'GVTg_V5_4', lowGmBytes: 128 << 20, highGmBytes: 384 << 20, fences: 4, weight: 4, resolution: { width: 1920, height: 1200 }, availableInstances: 3, description: '' },
];

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openEditor(name: string) {
  const stored = new Map([[name, configOf(name)]]);
  const fake = new FakeClient({
    'domains.list': () => sampleDomains(),
    'library.get': ({ name: n }) => ({ name: n, fileName: `${n}.cfg`, text: stored.get(n)! }),
    // The host's own check, so the messages are the real ones.
    'library.check': ({ text, name: n }) => ({ fileName: `${n}.cfg`, diagnostics: checkConfigText(text, `${n}.cfg`, n) }),
    'library.save': ({ name: n, text }) => (stored.set(n, text), { name: n }),
    'gpu.types': () => TYPES,
  });
  const Editor = defineComponent(() => () => h(ConfigEditor, { name }));
  const mounted = mountWith(fake, Editor);
  wrapper = mounted.wrapper as VueWrapper;
  await useDomainsStore(mounted.pinia).refresh();
  await flushPromises();
  return { fake, wrapper, stored };
}

describe('ConfigEditor: form and text on one config, checked by the host', () => {
  it('the form shows the config; a form edit is checked and saved with every other line kept', async () => {
    const { fake, wrapper, stored } = await openEditor('ubuntu');
    const memory = byTestId(wrapper, 'form-memory');
    expect((memory.element as HTMLInputElement).value).toBe('2048');
    expect(byTestId(wrapper, 'form-name').text()).toBe('ubuntu');
    expect(byTestId(wrapper, 'config-running').exists()).toBe(false);
    await memory.setValue('abc');
    await sleep(LINT_DELAY_MS + 150);
    await flushPromises();
    const checked = fake.callsTo('library.check') as { text: string; name: string }[];
    expect(checked.at(-1)).toEqual({ name: 'ubuntu', text: configOf('ubuntu').replace('memory = 2048', "memory = 'abc'") });
    expect(byTestId(wrapper, 'form-memory-problem').text()).toBe("must be a number of MiB, got 'abc'");
    expect(byTestId(wrapper, 'config-status').text()).toMatch(/^1 error, 0 warnings/);
    await memory.setValue('4096');
    await sleep(LINT_DELAY_MS + 150);
    await flushPromises();
    expect(byTestId(wrapper, 'form-memory-problem').exists()).toBe(false);
    await byTestId(wrapper, 'config-save').trigger('click');
    await flushPromises();
    expect(stored.get('ubuntu')).toBe(configOf('ubuntu').replace('memory = 2048', 'memory = 4096'));
  });

  it('a running domain gets "applies at its next start"', async () => {
    const { wrapper } = await openEditor('vgtHVMDomain');
    expect(byTestId(wrapper, 'config-running').text()).toBe('vgtHVMDomain is running: changes apply at its next start.');
  });

  it('a failed check says so instead of showing no problems', async () => {
    const { fake, wrapper } = await openEditor('ubuntu');
    fake.handlers['library.check'] = () => Promise.reject(new Error('the connection to the host was lost'));
    await byTestId(wrapper, 'form-vcpus').setValue('2');
    await sleep(LINT_DELAY_MS + 150);
    await flushPromises();
    expect(byTestId(wrapper, 'config-status').text()).toBe('Could not check the text: the connection to the host was lost');
  });
});

describe('ConfigForm: text edits show in the form', () => {
  it('keys it cannot model are read-only "edit in text"; choices keep a value that is not one of them', async () => {
    const text = ref("memory = 1024\nmemory = 2048\nvcpus = 2\ngvt_workload = 'bogus'\nusbdevice = [ 'tablet' ]\n");
    const Form = defineComponent(() => () => h(ConfigForm, { modelValue: text.value, 'onUpdate:modelValue': (v: string) => (text.value = v), domain: 'vm', diagnostics: [], vgpuTypes: TYPES }));
    wrapper = mountWith(new FakeClient(), Form).wrapper as VueWrapper;
    expect(byTestId(wrapper, 'form-memory-text').text()).toBe('edit in text: set on 2 lines (1, 2)');
    expect(byTestId(wrapper, 'form-memory').exists()).toBe(false);
    expect(byTestId(wrapper, 'form-usbdevice-text').exists()).toBe(true);
    expect((byTestId(wrapper, 'form-vcpus').element as HTMLInputElement).value).toBe('2');
    expect((byTestId(wrapper, 'form-gvt_workload').element as HTMLSelectElement).value).toBe('bogus');
    text.value = text.value.replace('vcpus = 2', 'vcpus = 6');
    await flushPromises();
    expect((byTestId(wrapper, 'form-vcpus').element as HTMLInputElement).value).toBe('6');
    await byTestId(wrapper, 'form-gvt_vgpu_type').setValue('GVTg_V5_4');
    await byTestId(wrapper, 'form-vgt').setValue(true);
    expect(text.value).toBe("memory = 1024\nmemory = 2048\nvcpus = 6\ngvt_workload = 'bogus'\nusbdevice = [ 'tablet' ]\ngvt_vgpu_type = 'GVTg_V5_4'\nvgt = 1\n");
    await byTestId(wrapper, 'form-gvt_vgpu_type').setValue('');
    expect(text.value).not.toContain('gvt_vgpu_type');
  });
});
