/**
 * Per-vGPU statistics for the dashboard's charts and the hang badges: polls gpu.stats once a
 * second while something shows them (acquire/release), keeps the last minute in a StatsHistory,
 * and tracks which resets and hangs the user has seen. A badge counts the hangs and resets since
 * the user last looked at that VM's log (opening the Log view marks them seen; new ones while it
 * is open are seen as they arrive). What was seen is kept for this window's life (by domid: domids
 * are not reused while the host runs). Also which Log view is open, and by whom.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef } from 'vue';
import type { GpuStats, VgpuSample } from '../../shared/api';
import { useApi } from '../api';
import { errorMessage } from '../lib/errors';
import { StatsHistory } from '../lib/stats-history';

/** How often gpu.stats is sampled, ms (the charts' resolution). */
export const STATS_PERIOD_MS = 1000;

/** Hangs and resets the user has not seen yet, and the last one's reason. */
export interface Unseen {
  hangs: number;
  resets: number;
  last: NonNullable<VgpuSample['lastReset']>;
}

/** hangs and resets (cumulative) at the moment the user last looked. */
function unseenOf(s: VgpuSample, seen: { hangs: number; resets: number } | undefined): Unseen | null {
  const hangs = s.hangs - (seen?.hangs ?? 0);
  // `resets` counts hangs too: the rest are the guest's own resets.
  const resets = s.resets - s.hangs - ((seen?.resets ?? 0) - (seen?.hangs ?? 0));
  if ((hangs <= 0 && resets <= 0) || !s.lastReset) return null;
  return { hangs: Math.max(0, hangs), resets: Math.max(0, resets), last: s.lastReset };
}

export const useStatsStore = defineStore('stats', () => {
  const api = useApi();
  const history = new StatsHistory();
  /** The latest sample (replaced at each poll; the charts read `history`). */
  const sample = shallowRef<GpuStats | null>(null);
  /** Bumped at every sample: what the charts watch. */
  const version = ref(0);
  const error = ref<string | null>(null);
  const seen = reactive(new Map<number, { hangs: number; resets: number }>());
  /** The open Log view: whose, and which component opened it (that one renders it). */
  const logView = ref<{ domid: number; name: string; owner: symbol } | null>(null);

  let users = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let polling = false;

  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      const s = await api.invoke('gpu.stats', {});
      history.push(s);
      sample.value = s;
      version.value++;
      error.value = null;
      const live = new Set(s.vgpus.map((v) => v.domid));
      for (const domid of [...seen.keys()]) if (!live.has(domid)) seen.delete(domid);
      if (logView.value) markSeen(logView.value.domid);
    } catch (err) {
      error.value = `gpu.stats: ${errorMessage(err)}`;
    } finally {
      polling = false;
    }
  }

  /** Start sampling (if nobody else has); returns the matching release. */
  function acquire(): () => void {
    users++;
    if (users === 1) {
      void poll();
      timer = setInterval(() => void poll(), STATS_PERIOD_MS);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      users--;
      if (users === 0) clearInterval(timer);
    };
  }

  const byDomid = computed(() => new Map((sample.value?.vgpus ?? []).map((v) => [v.domid, v])));

  /** What `domid`'s badge shows, or null for no badge. */
  function unseen(domid: number): Unseen | null {
    const s = byDomid.value.get(domid);
    return s ? unseenOf(s, seen.get(domid)) : null;
  }

  function markSeen(domid: number): void {
    const s = byDomid.value.get(domid);
    if (s) seen.set(domid, { hangs: s.hangs, resets: s.resets });
  }

  function openLog(domid: number, name: string, owner: symbol): void {
    logView.value = { domid, name, owner };
    markSeen(domid);
  }

  function closeLog(): void {
    logView.value = null;
  }

  return { history, sample, version, error, byDomid, acquire, poll, unseen, markSeen, openLog, closeLog, logView };
});
