/** Health of the hub and, through it, of the SFU and device bridge (store `system`); polled so the UI shows state, not a frozen screen. */
import { defineStore } from 'pinia';
import { ref } from 'vue';

export type LinkState = 'connecting' | 'online' | 'offline' | 'reconnecting';

export interface ServiceView {
  service: string;
  state: LinkState;
  uptimeS?: number;
}

interface ServicesAnswer {
  services: { service: string; state: 'online' | 'offline'; health?: { uptimeS: number } }[];
}

/** Where the health answers come from; tests replace it before the store's first use. */
export const systemDeps: { baseUrl: () => string; fetchImpl?: typeof fetch } = {
  baseUrl: () => (typeof document === 'undefined' ? 'http://127.0.0.1:8700/' : document.baseURI),
};

export const useSystemStore = defineStore('system', () => {
  const hub = ref<ServiceView>({ service: 'hub', state: 'connecting' });
  const others = ref<ServiceView[]>([
    { service: 'sfu', state: 'connecting' },
    { service: 'device-bridge', state: 'connecting' },
  ]);
  const lastChecked = ref<Date | undefined>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const get = async <T>(path: string, timeoutMs: number): Promise<T> => {
    const fetchImpl = systemDeps.fetchImpl ?? fetch;
    const response = await fetchImpl(new URL(path, systemDeps.baseUrl()), { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as T;
  };

  /** Polls overlap (one may wait longer than the interval): they are numbered, and an answer older than one shown is dropped. */
  let polls = 0;
  let shownPoll = 0;
  /** Whether poll `n` may show its answer: no newer poll has shown one. */
  function mayShow(n: number): boolean {
    if (n < shownPoll) return false;
    shownPoll = n;
    return true;
  }

  async function refresh(): Promise<void> {
    const mine = ++polls;
    try {
      const health = await get<{ uptimeS: number }>('healthz', 3000);
      if (!mayShow(mine)) return;
      hub.value = { service: 'hub', state: 'online', uptimeS: health.uptimeS };
      const answer = await get<ServicesAnswer>('api/v1/system/services', 4000);
      if (!mayShow(mine)) return;
      others.value = answer.services.map((s) => {
        const view: ServiceView = { service: s.service, state: s.state };
        if (s.health) view.uptimeS = s.health.uptimeS;
        return view;
      });
    } catch {
      if (!mayShow(mine)) return;
      const wasUp = hub.value.state === 'online' || hub.value.state === 'reconnecting';
      hub.value = { service: 'hub', state: wasUp ? 'reconnecting' : 'offline' };
      others.value = others.value.map((s) => ({ service: s.service, state: 'offline' }));
    }
    lastChecked.value = new Date();
  }

  function start(intervalMs = 3000): void {
    if (timer) return;
    void refresh();
    timer = setInterval(() => void refresh(), intervalMs);
  }

  function stop(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
  }

  return { hub, others, lastChecked, refresh, start, stop };
});
