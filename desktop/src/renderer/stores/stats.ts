/** Case figures for the wall (store `stats`): `/api/v1/stats`, refreshed (debounced) on `stats.changed` and resync. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { StatsResponse } from '@cc/protocol';
import { useLinkStore } from './link';
import { useSessionStore } from './session';

const REFRESH_DEBOUNCE_MS = 1500;

export const useStatsStore = defineStore('stats', () => {
  const session = useSessionStore();
  const link = useLinkStore();
  const figures = ref<StatsResponse | null>(null);
  /** False when the hub has no statistics (older hub) or refused them. */
  const available = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts loads: the answer of a load overtaken by a newer one (or an unfollow) is older than it and dropped. */
  let generation = 0;

  async function load(): Promise<void> {
    const mine = ++generation;
    try {
      const answer = await session.api.stats();
      if (mine !== generation) return;
      figures.value = answer;
      available.value = true;
    } catch {
      if (mine === generation) available.value = false;
    }
  }

  function scheduleLoad(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void load();
    }, REFRESH_DEBOUNCE_MS);
  }

  function follow(): () => void {
    const offs = [link.on('stats.changed', scheduleLoad), link.onResync(() => void load())];
    return () => {
      offs.forEach((off) => off());
      if (timer) clearTimeout(timer);
      timer = undefined;
      generation++;
      figures.value = null;
      available.value = false;
    };
  }

  return { figures, available, load, follow };
});
