/** Pure updates of the organisation view: unit positions and device presence from live events. */
import type { FieldUnit, HubEventData } from '@cc/protocol';
import type { Device } from '../api/hub';

export function applyUnitPosition(units: FieldUnit[], unitId: string, lat: number, lon: number, at: string): FieldUnit[] {
  let changed = false;
  const next = units.map((u) => {
    if (u.id !== unitId || (u.position && u.position.at > at)) return u;
    changed = true;
    return { ...u, position: { lat, lon, at } };
  });
  return changed ? next : units;
}

export function applyUnitPositions(units: FieldUnit[], event: HubEventData<'units.positions'>): FieldUnit[] {
  let next = units;
  for (const p of event.positions) if (p.unitId) next = applyUnitPosition(next, p.unitId, p.lat, p.lon, p.at);
  return next;
}

export function applyDevicePresence(devices: Device[], event: HubEventData<'device.presence'>): Device[] {
  const known = devices.find((d) => d.id === event.deviceId);
  const updated: Device = {
    id: event.deviceId,
    kind: event.kind,
    online: event.online,
    offlineReason: event.reason,
    lastSeen: event.at,
    position: known?.position ?? null,
  };
  return known ? devices.map((d) => (d.id === event.deviceId ? updated : d)) : [...devices, updated];
}

export interface UnitCounts {
  total: number;
  available: number;
  busy: number;
  offline: number;
}

export function countUnits(units: FieldUnit[]): UnitCounts {
  const counts: UnitCounts = { total: units.length, available: 0, busy: 0, offline: 0 };
  for (const u of units) counts[u.status] += 1;
  return counts;
}

/** Age of a position in seconds at `now` (ms), or undefined without a position. */
export function positionAgeS(unit: FieldUnit, now: number): number | undefined {
  return unit.position ? Math.max(0, Math.round((now - Date.parse(unit.position.at)) / 1000)) : undefined;
}
