/** Alarms and incidents on the console (store `alarms`): the live list, the selected incident, the ringing pop-ups, and the officer's actions. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Incident, IncidentAction } from '@cc/protocol';
import { ApiError } from '../api/client';
import { useLinkStore } from './link';
import { useSessionStore } from './session';
import { activeIncidents, applyAlarmRaised, applyIncidentUpdated, mergeIncident, mergeSummaries, type IncidentMap } from './alarms-model';

export const useAlarmsStore = defineStore('alarms', () => {
  const session = useSessionStore();
  const link = useLinkStore();
  const incidents = ref<IncidentMap>({});
  const selectedId = ref<string | null>(null);
  /** Incidents whose new alarm still rings and pops up, oldest first. */
  const ringing = ref<string[]>([]);
  /** Pop-ups this officer closed without acting: a reload does not ring them again. */
  const dismissed = new Set<string>();
  const loading = ref(false);
  const actionError = ref<ApiError | null>(null);
  const busyAction = ref<IncidentAction['kind'] | null>(null);
  /** Counts every alarm.raised heard, so views can react (tone, wall flash). */
  const raisedCount = ref(0);

  const active = computed(() => activeIncidents(incidents.value));
  const selected = computed(() => (selectedId.value ? incidents.value[selectedId.value] : undefined));
  const popup = computed(() => (ringing.value[0] ? incidents.value[ringing.value[0]] : undefined));
  /** Per list request in flight: the incidents live events or actions changed meanwhile (newer than its answer). */
  const touchedDuringLoad = new Set<Set<string>>();
  const touch = (id: string): void => touchedDuringLoad.forEach((touched) => touched.add(id));

  async function refreshOne(id: string): Promise<void> {
    try {
      // Awaited first: the map must be read after the answer, not before (other updates land meanwhile).
      const incident = await session.api.incident(id);
      incidents.value = mergeIncident(incidents.value, incident);
    } catch {
      // Shown from the event until the next resync brings it.
    }
  }

  async function load(): Promise<void> {
    loading.value = true;
    const touched = new Set<string>();
    touchedDuringLoad.add(touched);
    try {
      // One request: the list carries each incident's latest alarm and count (no detail fetch per row).
      const summaries = await session.api.incidents('active');
      const next = mergeSummaries(incidents.value, summaries, selectedId.value, touched);
      incidents.value = next;
      // An SOS nobody has acknowledged yet rings here too, even if it was raised before this console connected.
      const unanswered = Object.values(next)
        .filter((i) => i.status === 'open' && i.priority === 1 && !dismissed.has(i.id) && !ringing.value.includes(i.id))
        .sort((a, b) => a.openedAt.localeCompare(b.openedAt))
        .map((i) => i.id);
      ringing.value = [...ringing.value.filter((id) => next[id]?.status === 'open'), ...unanswered];
    } finally {
      touchedDuringLoad.delete(touched);
      loading.value = false;
    }
  }

  function select(id: string | null): void {
    selectedId.value = id;
    if (id) void refreshOne(id);
  }

  function dismiss(id: string): void {
    dismissed.add(id);
    ringing.value = ringing.value.filter((r) => r !== id);
  }

  async function act(id: string, action: IncidentAction): Promise<Incident | undefined> {
    actionError.value = null;
    busyAction.value = action.kind;
    try {
      const incident = await session.api.act(id, action);
      incidents.value = mergeIncident(incidents.value, incident);
      touch(id);
      if (action.kind !== 'note') dismiss(id);
      return incident;
    } catch (e) {
      actionError.value = e instanceof ApiError ? e : null;
      return undefined;
    } finally {
      busyAction.value = null;
    }
  }

  /** Subscribes to the link: live alarms and incident updates, reload on resync. The returned stop also forgets everything (sign-out). */
  function follow(): () => void {
    const offs = [
      link.on('alarm.raised', (data) => {
        incidents.value = applyAlarmRaised(incidents.value, data);
        touch(data.alarm.incidentId);
        raisedCount.value += 1;
        dismissed.delete(data.alarm.incidentId);
        if (!ringing.value.includes(data.alarm.incidentId)) ringing.value = [...ringing.value, data.alarm.incidentId];
        void refreshOne(data.alarm.incidentId);
      }),
      link.on('incident.updated', (data) => {
        const next = applyIncidentUpdated(incidents.value, data);
        if (next) incidents.value = next;
        else void refreshOne(data.incidentId);
        touch(data.incidentId);
        if (data.status !== 'open') dismiss(data.incidentId);
      }),
      link.onResync(() => void load().catch(() => undefined)),
    ];
    return () => {
      offs.forEach((off) => off());
      incidents.value = {};
      selectedId.value = null;
      ringing.value = [];
      dismissed.clear();
      actionError.value = null;
    };
  }

  return {
    incidents,
    selectedId,
    ringing,
    loading,
    actionError,
    busyAction,
    raisedCount,
    active,
    selected,
    popup,
    load,
    select,
    dismiss,
    act,
    follow,
  };
});
