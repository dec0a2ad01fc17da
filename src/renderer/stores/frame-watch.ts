/**
 * Tells the host which frame sources this page shows (frame.watch), so it sends, and composes,
 * only those: the Physical display while its window is open, each guest's first head while its VM
 * window is open on its Screen tab, each further head (stores/heads.ts) while its head window is
 * open; none of them while its window lies wholly under another (windows store `covered`). Heads that
 * have no window yet (dark: no monitor, pipe off) are watched too: a dark head sends nothing, and
 * its first frame is how the page learns it lit. The set is sent again on every change and on
 * every (re)connect: a new connection watches everything until told.
 *
 * A head window the user closed is not watched, so the page does not see its head go dark while
 * it stays closed; reopening it shows its current picture (or No signal) at once.
 */
import { defineStore } from 'pinia';
import { computed, watch } from 'vue';
import { PHYSICAL_SOURCE } from '../../shared/api';
import { physicalHeadSource, vmHeadSource } from '../../shared/heads';
import { PORT_NAMES } from '../../shared/ports';
import { useApi } from '../api';
import { useDomainsStore } from './domains';
import { useHeadsStore } from './heads';
import { useUiStore, vmWindowKey } from './ui';
import { useWindowsStore } from './windows';

export const useFrameWatchStore = defineStore('frameWatch', () => {
  const api = useApi();
  const ui = useUiStore();
  const domains = useDomainsStore();
  const heads = useHeadsStore();
  const windows = useWindowsStore();

  // As CompositorView shows them: a window without a stored layout is open.
  const isOpen = (key: string): boolean => windows.layouts[key]?.closed !== true;
  /** Open and not wholly under another window: some of its screen can be seen. */
  const isSeen = (key: string): boolean => isOpen(key) && !windows.covered.has(key);

  /** The sources to watch, sorted. */
  const sources = computed<number[]>(() => {
    const out = new Set<number>();
    const lit = new Set(heads.windows.map((h) => h.source));
    if (isSeen('physical')) out.add(PHYSICAL_SOURCE);
    for (const h of heads.windows) if (isSeen(h.key)) out.add(h.source);
    for (const port of PORT_NAMES) if (!lit.has(physicalHeadSource(port))) out.add(physicalHeadSource(port));
    for (const d of domains.guests) {
      // On its Serial or Ports tab a VM window shows no screen.
      if (isSeen(vmWindowKey(d.name)) && (ui.vmTabs[d.name] ?? 'screen') === 'screen') out.add(d.domid);
      for (const pipe of [1, 2]) if (!lit.has(vmHeadSource(d.domid, pipe))) out.add(vmHeadSource(d.domid, pipe));
    }
    return [...out].sort((a, b) => a - b);
  });

  async function send(): Promise<void> {
    try {
      await api.invoke('frame.watch', { sources: sources.value });
    } catch (err) {
      // Not fatal: the host keeps sending what it sent (everything, on a new connection).
      console.warn('gvt-desk: frame.watch failed', err);
    }
  }

  watch(
    () => sources.value.join(','),
    () => {
      if (ui.connection === 'open') void send();
    },
  );
  watch(
    () => ui.connection,
    (status) => {
      if (status === 'open') void send();
    },
    { immediate: true },
  );

  return { sources };
});
