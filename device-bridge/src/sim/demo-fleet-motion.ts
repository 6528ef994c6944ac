/**
 * How the demo's field units move: each walks (or drives) from waypoint to waypoint near
 * its court, pausing at each, at a speed fitting its kind. Seeded per device, so the same
 * seed gives the same paths; waypoints outside Beijing's district boundary are refused.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface LatLon {
  lat: number;
  lon: number;
}

export type UnitKind = 'individual' | 'vehicle' | 'team';

/** A small seeded generator (mulberry32): same seed → same sequence. */
export class SeededRandom {
  private state: number;

  constructor(seed: string) {
    this.state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Exponentially distributed with the given mean (waiting times of a Poisson process). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }
}

const KM_PER_DEG_LAT = 111.32;
const kmPerDegLon = (lat: number): number => KM_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);

export function distanceKm(a: LatLon, b: LatLon): number {
  const dy = (b.lat - a.lat) * KM_PER_DEG_LAT;
  const dx = (b.lon - a.lon) * kmPerDegLon((a.lat + b.lat) / 2);
  return Math.hypot(dx, dy);
}

/** Polygons (outer rings, [lon, lat]) of an area; a point is inside when any ring holds it. */
export class Boundary {
  constructor(private readonly rings: [number, number][][]) {}

  static fromGeoJson(file: string | URL): Boundary {
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      features: { geometry: { type: string; coordinates: unknown } }[];
    };
    const rings: [number, number][][] = [];
    for (const { geometry } of json.features) {
      if (geometry.type === 'Polygon') rings.push((geometry.coordinates as [number, number][][])[0]!);
      else if (geometry.type === 'MultiPolygon')
        for (const polygon of geometry.coordinates as [number, number][][][]) rings.push(polygon[0]!);
    }
    if (rings.length === 0) throw new Error(`${String(file)}: no polygons`);
    return new Boundary(rings);
  }

  contains({ lat, lon }: LatLon): boolean {
    return this.rings.some((ring) => {
      let inside = false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i]!;
        const [xj, yj] = ring[j]!;
        if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    });
  }
}

/** Range around the court (km), speed (km/h) and pause at a waypoint (s) by kind of unit. */
const HABITS: Record<UnitKind, { radiusKm: number; speedKmh: [number, number]; pauseS: [number, number] }> = {
  individual: { radiusKm: 1.5, speedKmh: [4, 6], pauseS: [20, 180] },
  team: { radiusKm: 2, speedKmh: [3, 5], pauseS: [60, 300] },
  vehicle: { radiusKm: 6, speedKmh: [20, 45], pauseS: [30, 300] },
};

export interface Fix extends LatLon {
  speedKmh: number;
  directionDeg: number;
}

export class Walker {
  private at: LatLon;
  private target: LatLon;
  private speedKmh = 0;
  private pauseS: number;
  private directionDeg = 0;

  constructor(
    private readonly home: LatLon,
    start: LatLon,
    private readonly kind: UnitKind,
    private readonly random: SeededRandom,
    private readonly boundary?: Boundary,
  ) {
    const habits = HABITS[kind];
    const usable = distanceKm(home, start) <= habits.radiusKm * 1.5 && this.allowed(start);
    this.at = usable ? { ...start } : { ...home };
    this.target = this.at;
    // A short first pause: the map starts moving soon after start.
    this.pauseS = random.between(0, 20);
  }

  get position(): LatLon {
    return { ...this.at };
  }

  private allowed(point: LatLon): boolean {
    return this.boundary ? this.boundary.contains(point) : true;
  }

  private pickTarget(): void {
    const habits = HABITS[this.kind];
    for (let attempt = 0; attempt < 12; attempt++) {
      const km = habits.radiusKm * Math.sqrt(this.random.next());
      const bearing = this.random.next() * 2 * Math.PI;
      const point = {
        lat: this.home.lat + (km * Math.cos(bearing)) / KM_PER_DEG_LAT,
        lon: this.home.lon + (km * Math.sin(bearing)) / kmPerDegLon(this.home.lat),
      };
      if (this.allowed(point)) {
        this.target = point;
        this.speedKmh = this.random.between(...habits.speedKmh);
        return;
      }
    }
    this.target = { ...this.home };
    this.speedKmh = this.random.between(...habits.speedKmh);
  }

  /** Advances `seconds` and returns where the unit is now. */
  step(seconds: number): Fix {
    let left = seconds;
    while (left > 0) {
      if (this.pauseS > 0) {
        const pause = Math.min(this.pauseS, left);
        this.pauseS -= pause;
        left -= pause;
        if (this.pauseS <= 0) this.pickTarget();
        continue;
      }
      const remainingKm = distanceKm(this.at, this.target);
      const reachKm = (this.speedKmh * left) / 3600;
      const dy = (this.target.lat - this.at.lat) * KM_PER_DEG_LAT;
      const dx = (this.target.lon - this.at.lon) * kmPerDegLon(this.at.lat);
      if (remainingKm > 0) this.directionDeg = ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360;
      if (reachKm >= remainingKm) {
        this.at = { ...this.target };
        left -= this.speedKmh > 0 ? (remainingKm / this.speedKmh) * 3600 : left;
        this.pauseS = this.random.between(...HABITS[this.kind].pauseS);
        continue;
      }
      const share = reachKm / remainingKm;
      this.at = { lat: this.at.lat + (this.target.lat - this.at.lat) * share, lon: this.at.lon + (this.target.lon - this.at.lon) * share };
      left = 0;
    }
    const moving = this.pauseS <= 0;
    return { ...this.at, speedKmh: moving ? this.speedKmh : 0, directionDeg: this.directionDeg };
  }
}
