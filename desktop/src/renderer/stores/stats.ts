/** Case figures for the wall (store `stats`): open-node counts per court, refreshed (debounced) when cases or nodes change. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { NodeCounts } from '../api/hub';
import { useLinkStore } from './link';
import { useSessionStore } from './session';

const REFRESH_DEBOUNCE_MS = 2000;

export const useStatsStore = defineStore('stats', () => {
  const session = useSessionStore();
  const link = useLinkStore();
  const nodeCounts = ref<NodeCounts['courts']>([]);
  const available = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function load(): Promise<void> {
    try {
      nodeCounts.value = (await session.api.nodeCounts()).courts;
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
    const offs = [
      link.on('node.overdue', scheduleLoad),
      link.on('node.due_soon', scheduleLoad),
      link.on('case.changed', scheduleLoad),
      link.on('cases.imported', scheduleLoad),
      link.on('stats.changed', scheduleLoad),
      link.onResync(() => void load()),
    ];
    return () => {
      offs.forEach((off) => off());
      if (timer) clearTimeout(timer);
      timer = undefined;
    };
  }

  return { nodeCounts, available, load, follow };
});
