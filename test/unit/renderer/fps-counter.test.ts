// @vitest-environment happy-dom
/** FpsCounter reads its source's fps from the frames store: a new sample re-renders it, not the title bar around it. */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { defineComponent, h, nextTick } from 'vue';
import FpsCounter from '../../../src/renderer/components/FpsCounter.vue';
import { useFramesStore } from '../../../src/renderer/stores/frames';
import type { FrameMessage } from '../../../src/shared/api';
import { rgbaRect } from '../helpers/frames';

const frame = (seq: number, width = 8): FrameMessage => ({ source: 1, width, height: 6, seq, flip: 0, vblankMs: 0, x: 0, y: 0, w: 1, h: 1, rgba: rgbaRect(1, 1, 7) });

describe('FpsCounter', () => {
  it('shows the source’s fps at each sample without re-rendering its parent', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const frames = useFramesStore();
    let parentRenders = 0;
    // A title bar: shows the resolution (from the same info), holds the counter.
    const TitleBar = defineComponent(() => () => {
      parentRenders++;
      return h('header', [h('span', { class: 'res' }, String(frames.info.get(1)?.width ?? 0)), h(FpsCounter, { source: 1 })]);
    });
    frames.apply(frame(1), 0);
    const wrapper = mount(TitleBar, { global: { plugins: [pinia] } });
    expect(wrapper.get('.fps').text()).toBe('0 fps');
    const before = parentRenders;
    frames.apply(frame(2), 100);
    frames.apply(frame(3), 200);
    frames.sampleFps(1000);
    await nextTick();
    expect(wrapper.get('.fps').text()).toBe('3 fps');
    expect(parentRenders).toBe(before);
    // A new resolution still reaches the parent.
    frames.apply(frame(4, 16), 1100);
    await nextTick();
    expect(wrapper.get('.res').text()).toBe('16');
    wrapper.unmount();
  });
});
