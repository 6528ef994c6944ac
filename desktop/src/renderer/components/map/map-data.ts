/** Pure map data: what each deck.gl layer draws for courts, field units and alarms (colours, labels, fading). */
import type { Court, FieldUnit, Incident } from '@cc/protocol';

export type Rgba = [number, number, number, number];

export interface CourtPoint {
  code: string;
  name: string;
  label: string;
  level: Court['level'];
  position: [number, number];
}

export interface UnitPoint {
  id: string;
  name: string;
  status: FieldUnit['status'];
  ageS: number;
  position: [number, number];
}

export interface AlarmPoint {
  incidentId: string;
  title: string;
  priority: number;
  status: Incident['status'];
  position: [number, number];
}

/** A position older than this is drawn faded: the unit may no longer be there. */
export const STALE_AFTER_S = 10 * 60;

const STATUS_COLOURS: Record<FieldUnit['status'], [number, number, number]> = {
  available: [46, 204, 113],
  busy: [255, 149, 0],
  offline: [140, 150, 160],
};

export function unitColour(status: FieldUnit['status'], ageS: number): Rgba {
  const alpha = ageS > STALE_AFTER_S ? 90 : 235;
  return [...STATUS_COLOURS[status], alpha];
}

/** "北京市海淀区人民法院" → "海淀法院": labels on a city map need no province prefix. */
export function shortCourtName(name: string): string {
  return name
    .replace(/^北京市/, '')
    .replace(/区人民法院$/, '法院')
    .replace(/人民法院$/, '法院');
}

export function courtPoints(courts: Court[]): CourtPoint[] {
  return courts.map((c) => ({ code: c.code, name: c.name, label: shortCourtName(c.name), level: c.level, position: [c.lon, c.lat] }));
}

export function unitPoints(units: FieldUnit[], now: number): UnitPoint[] {
  const out: UnitPoint[] = [];
  for (const u of units) {
    if (!u.position) continue;
    const ageS = Math.max(0, Math.round((now - Date.parse(u.position.at)) / 1000));
    out.push({ id: u.id, name: u.name, status: u.status, ageS, position: [u.position.lon, u.position.lat] });
  }
  return out;
}

/** One point per located incident (its latest located alarm), falling back to its court's seat. */
export function alarmPoints(incidents: Incident[], courtByCode: Map<string, Court>): AlarmPoint[] {
  const out: AlarmPoint[] = [];
  for (const incident of incidents) {
    const located = [...incident.alarms].reverse().find((a) => a.lat !== null && a.lon !== null);
    const court = incident.court ? courtByCode.get(incident.court) : undefined;
    const position: [number, number] | undefined = located ? [located.lon!, located.lat!] : court ? [court.lon, court.lat] : undefined;
    if (!position) continue;
    out.push({ incidentId: incident.id, title: incident.title, priority: incident.priority, status: incident.status, position });
  }
  return out;
}

/** Pulse phase 0…1 → radius in pixels; open incidents pulse, acknowledged ones stay steady. */
export function pulseRadius(point: AlarmPoint, phase: number): number {
  return point.status === 'open' ? 10 + 18 * phase : 12;
}

type Ring = GeoJSON.Position[];

/** A label point for each district: the mean of its largest outer ring (good enough for compact districts). */
export function districtLabels(features: GeoJSON.Feature[]): { name: string; position: [number, number] }[] {
  const out: { name: string; position: [number, number] }[] = [];
  for (const f of features) {
    const name = (f.properties as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || !f.geometry) continue;
    const g = f.geometry;
    const rings: (Ring | undefined)[] =
      g.type === 'Polygon' ? [g.coordinates[0]] : g.type === 'MultiPolygon' ? g.coordinates.map((p) => p[0]) : [];
    const ring = rings.filter((r): r is Ring => !!r).sort((a, b) => b.length - a.length)[0];
    if (!ring || ring.length === 0) continue;
    let [sx, sy] = [0, 0];
    for (const [x = 0, y = 0] of ring) {
      sx += x;
      sy += y;
    }
    out.push({ name, position: [sx / ring.length, sy / ring.length] });
  }
  return out;
}

export interface LabelBox {
  key: string;
  /** Screen position of the label's anchor (its left-middle), pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Greedy label placement: boxes in priority order, each kept only if it overlaps none kept before it. */
export function declutter(boxes: LabelBox[], gap = 2): Set<string> {
  const kept: LabelBox[] = [];
  for (const b of boxes) {
    const clash = kept.some(
      (k) =>
        b.x < k.x + k.width + gap &&
        k.x < b.x + b.width + gap &&
        b.y - b.height / 2 < k.y + k.height / 2 + gap &&
        k.y - k.height / 2 < b.y + b.height / 2 + gap,
    );
    if (!clash) kept.push(b);
  }
  return new Set(kept.map((k) => k.key));
}

const LEVEL_ORDER: Record<Court['level'], number> = { high: 0, intermediate: 1, basic: 2, special: 3 };

/** Courts in label priority: the high court first, then intermediate, district and special courts. */
export function byLabelPriority(courts: CourtPoint[]): CourtPoint[] {
  return [...courts].sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || a.code.localeCompare(b.code));
}
