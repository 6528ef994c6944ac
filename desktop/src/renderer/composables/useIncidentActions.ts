/** The action bar's form state: which action is being composed, its inputs, and the IncidentAction sent to the hub. */
import { computed, ref, watch, type Ref } from 'vue';
import type { Incident, IncidentAction } from '@cc/protocol';
import { useAlarmsStore } from '../stores/alarms';

export type ActionKind = IncidentAction['kind'];

/** Actions that need no input are sent at once; the others open a small form. */
const IMMEDIATE: ReadonlySet<ActionKind> = new Set(['acknowledge']);

export function buildAction(kind: ActionKind, input: { text: string; unitIds: string[]; deviceId: string }): IncidentAction | undefined {
  const text = input.text.trim();
  switch (kind) {
    case 'acknowledge':
      return { kind, note: text };
    case 'video_opened':
      return input.deviceId ? { kind, deviceId: input.deviceId, note: text } : undefined;
    case 'dispatch':
      return input.unitIds.length > 0 ? { kind, unitIds: input.unitIds, note: text } : undefined;
    case 'call_made':
      return text ? { kind, target: text, note: '' } : undefined;
    case 'note':
      return text ? { kind, note: text } : undefined;
    case 'close':
      return text ? { kind, result: text } : undefined;
  }
}

export function useIncidentActions(incident: Ref<Incident | undefined>) {
  const alarms = useAlarmsStore();
  const composing = ref<ActionKind | null>(null);
  const text = ref('');
  const unitIds = ref<string[]>([]);
  const deviceId = ref('');

  const devices = computed(() => [...new Set((incident.value?.alarms ?? []).map((a) => a.deviceId).filter((d): d is string => !!d))]);
  const nearUnits = computed(() => incident.value?.alarms[incident.value.alarms.length - 1]?.nearestUnits ?? []);
  const draft = computed(() =>
    composing.value ? buildAction(composing.value, { text: text.value, unitIds: unitIds.value, deviceId: deviceId.value }) : undefined,
  );

  const reset = (): void => {
    composing.value = null;
    text.value = '';
    unitIds.value = [];
    deviceId.value = devices.value[0] ?? '';
  };
  watch(() => incident.value?.id, reset);

  async function send(action: IncidentAction): Promise<void> {
    if (!incident.value) return;
    if (await alarms.act(incident.value.id, action)) reset();
  }

  function start(kind: ActionKind): void {
    if (IMMEDIATE.has(kind)) {
      void send(buildAction(kind, { text: '', unitIds: [], deviceId: '' })!);
      return;
    }
    reset();
    composing.value = kind;
    if (kind === 'call_made') text.value = nearUnits.value[0]?.name ?? '';
  }

  async function submit(): Promise<void> {
    if (draft.value) await send(draft.value);
  }

  return { composing, text, unitIds, deviceId, devices, nearUnits, draft, start, submit, cancel: reset };
}
