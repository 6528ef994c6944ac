/** Courts, field units and devices for the map and counters (store `org`), kept current by live events. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Court, FieldUnit } from '@cc/protocol';
import type { Device } from '../api/hub';
import { useLinkStore } from './link';
import { useSessionStore } from './session';
import { applyDevicePresence, applyUnitPosition, applyUnitPositions, countUnits } from './org-model';

const RELOAD_DEBOUNCE_MS = 500;

export const useOrgStore = defineStore('org', () => {
  const session = useSessionStore();
  const link = useLinkStore();
  const courts = ref<Court[]>([]);
  const units = ref<FieldUnit[]>([]);
  const devices = ref<Device[]>([]);
  /** The devices list needs a staff role; court users see without it. */
  const devicesVisible = ref(true);
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;

  const unitCounts = computed(() => countUnits(units.value));
  const devicesOnline = computed(() => devices.value.filter((d) => d.online).length);
  const courtByCode = computed(() => new Map(courts.value.map((c) => [c.code, c])));

  /** Per load in flight: the live changes heard meanwhile, replayed on its answer (they are newer than it). */
  const heardDuringLoad = new Set<(() => void)[]>();
  function live(change: () => void): void {
    change();
    heardDuringLoad.forEach((heard) => heard.push(change));
  }

  async function load(): Promise<void> {
    const heard: (() => void)[] = [];
    heardDuringLoad.add(heard);
    try {
      const [c, u] = await Promise.all([session.api.courts(), session.api.units()]);
      courts.value = c;
      units.value = u;
      try {
        devices.value = await session.api.devices();
        devicesVisible.value = true;
      } catch {
        devicesVisible.value = false;
      }
      // Positions are applied by time and presence in the order heard: replaying is safe.
      heard.forEach((change) => change());
    } finally {
      heardDuringLoad.delete(heard);
    }
  }

  /** Several entity changes in a burst (an import) cost one reload. */
  function scheduleReload(): void {
    if (reloadTimer) clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => {
      reloadTimer = undefined;
      void load().catch(() => undefined);
    }, RELOAD_DEBOUNCE_MS);
  }

  function follow(): () => void {
    const offs = [
      link.on('unit.position', (d) => live(() => (units.value = applyUnitPosition(units.value, d.unitId, d.lat, d.lon, d.at)))),
      link.on('units.positions', (d) => live(() => (units.value = applyUnitPositions(units.value, d)))),
      link.on('device.presence', (d) => live(() => (devices.value = applyDevicePresence(devices.value, d)))),
      link.on('entity.changed', (d) => {
        if (d.entity === 'unit' || d.entity === 'court' || d.entity === 'device') scheduleReload();
      }),
      // A dispatch marks units busy on the hub without an entity event.
      link.on('incident.updated', (d) => {
        if (d.entry.kind === 'dispatched') scheduleReload();
      }),
      link.onResync(() => void load().catch(() => undefined)),
    ];
    return () => {
      offs.forEach((off) => off());
      if (reloadTimer) clearTimeout(reloadTimer);
      // What one user may see is not for the next one who signs in.
      courts.value = [];
      units.value = [];
      devices.value = [];
    };
  }

  return { courts, units, devices, devicesVisible, unitCounts, devicesOnline, courtByCode, load, follow };
});
