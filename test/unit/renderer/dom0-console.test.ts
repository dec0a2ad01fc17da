// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import Dom0Console from '../../../src/renderer/components/Dom0Console.vue';
import { ConsoleSession } from '../../../src/shared/api';
import { FakeClient } from './fake-client';
import { mountWith } from './mount';

const HISTORY_KEY = 'gvt-desk.dom0.history';
const KEY_CODES: Record<string, number> = { Tab: 9, Enter: 13, ArrowUp: 38 };

let wrappers: VueWrapper[] = [];
beforeEach(() => localStorage.clear());
afterEach(() => {
  wrappers.forEach((w) => w.unmount());
  wrappers = [];
});

function mountConsole() {
  const fake = new FakeClient({
    'console.exec': ({ line }) => ({ output: `ran ${line}`, exitCode: 0 }),
    'console.complete': ({ line }) => (line === 'x' ? { from: 0, candidates: ['xl'] } : { from: line.length, candidates: [] }),
  });
  const { wrapper } = mountWith(fake, Dom0Console);
  wrappers.push(wrapper as VueWrapper);
  const textarea = wrapper.find('.xterm-helper-textarea').element as HTMLTextAreaElement;
  /** Keys as xterm sees them from the keyboard: single characters, or names in KEY_CODES. */
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      const keyCode = KEY_CODES[key] ?? key.toUpperCase().charCodeAt(0);
      textarea.dispatchEvent(new KeyboardEvent('keydown', { key, keyCode, bubbles: true, cancelable: true } as KeyboardEventInit));
      await flushPromises();
    }
  };
  const log = () => wrapper.find('[data-testid="dom0-console-log"]').text();
  return { fake, press, log };
}

describe('Dom0 console', () => {
  it('sends one random session id with every console.exec and console.complete; each console has its own', async () => {
    const a = mountConsole();
    await a.press('x', 'Tab', 'l', 'i', 's', 't', 'Enter');
    await flushPromises();
    expect(a.fake.callsTo('console.complete')).toHaveLength(1);
    const [exec] = a.fake.callsTo('console.exec') as { line: string; session: string }[];
    expect(exec!.line).toBe('xl list');
    expect(ConsoleSession.safeParse(exec!.session).success).toBe(true);
    expect(a.fake.callsTo('console.complete')).toEqual([{ line: 'x', session: exec!.session }]);
    expect(a.log()).toContain('ran xl list');

    const b = mountConsole();
    await b.press('w', 'Enter');
    expect((b.fake.callsTo('console.exec')[0] as { session: string }).session).not.toBe(exec!.session);
  });

  it('keeps the history in localStorage for the next page', async () => {
    const first = mountConsole();
    await first.press('x', 'Tab', 'i', 'n', 'f', 'o', 'Enter');
    await flushPromises();
    expect(JSON.parse(localStorage.getItem(HISTORY_KEY)!)).toEqual(['xl info']);

    const next = mountConsole();
    await next.press('ArrowUp', 'Enter');
    expect(next.fake.callsTo('console.exec')).toMatchObject([{ line: 'xl info' }]);
  });

  it('starts with an empty history over a corrupt stored value', async () => {
    localStorage.setItem(HISTORY_KEY, '{"not": "a list"');
    const c = mountConsole();
    await c.press('ArrowUp', 'Enter', 'w', 'Enter');
    expect(c.fake.callsTo('console.exec')).toMatchObject([{ line: 'w' }]);
    expect(JSON.parse(localStorage.getItem(HISTORY_KEY)!)).toEqual(['w']);
  });
});
