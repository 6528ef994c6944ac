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

  async function load(): Promise<void> {
    try {
      const answer = await session.api.stats();
      figures.value = answer;
      available.value = true;
    } catch {
      available.value = false;
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
      figures.value = null;
      available.value = false;
    };
  }

  return { figures, available, load, follow };
});
