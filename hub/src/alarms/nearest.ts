/** Great-circle distances from an alarm to courts and to field units' last known positions. */
import type { Court, FieldUnit } from '@cc/protocol';

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number): number => (deg * Math.PI) / 180;

/** Haversine distance in kilometres. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

const round = (km: number): number => Math.round(km * 100) / 100;

export function nearestCourts(courts: Court[], lat: number, lon: number, limit = 5): { code: string; name: string; distanceKm: number }[] {
  return courts
    .map((c) => ({ code: c.code, name: c.name, distanceKm: round(distanceKm(lat, lon, c.lat, c.lon)) }))
    .sort((a, b) => a.distanceKm - b.distanceKm)
    .slice(0, limit);
}

/** Units with a known position, nearest first; offline units are left out, stale ones keep their age. */
export function nearestUnits(
  units: FieldUnit[],
  lat: number,
  lon: number,
  nowMs: number,
  options: { limit?: number; excludeUnitId?: string | null } = {},
): { id: string; name: string; kind: string; status: string; distanceKm: number; positionAgeS: number }[] {
  return units
    .filter((u) => u.position && u.status !== 'offline' && u.id !== options.excludeUnitId)
    .map((u) => ({
      id: u.id,
      name: u.name,
      kind: u.kind,
      status: u.status,
      distanceKm: round(distanceKm(lat, lon, u.position!.lat, u.position!.lon)),
      positionAgeS: Math.max(0, Math.round((nowMs - Date.parse(u.position!.at)) / 1000)),
    }))
    .sort((a, b) => a.distanceKm - b.distanceKm)
    .slice(0, options.limit ?? 5);
}
