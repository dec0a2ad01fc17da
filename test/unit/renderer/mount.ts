import { mount } from '@vue/test-utils';
import { createPinia, type Pinia } from 'pinia';
import { h, type Component } from 'vue';
import { apiKey } from '../../../src/renderer/api';
import type { FakeClient } from './fake-client';

/** Mount components side by side with a fresh Pinia and the fake client as the app's API. */
export function mountWith(fake: FakeClient, ...components: Component[]): { wrapper: ReturnType<typeof mount>; pinia: Pinia } {
  const pinia = createPinia();
  const wrapper = mount({ render: () => h('div', components.map((c) => h(c))) }, { attachTo: document.body, global: { plugins: [pinia], provide: { [apiKey as symbol]: fake } } });
  return { wrapper, pinia };
}
