import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Boundary, SeededRandom, Walker, distanceKm, type UnitKind } from './demo-fleet-motion.js';

const BEIJING = Boundary.fromGeoJson(new URL('../../../assets/demo/beijing-districts.geojson', import.meta.url));
const COURTS = (
  JSON.parse(readFileSync(new URL('../../../assets/demo/beijing-courts.json', import.meta.url), 'utf8')) as {
    courts: { code: string; lat: number; lon: number }[];
  }
).courts;

const path = (seed: string, kind: UnitKind, home: { lat: number; lon: number }, steps: number, stepS = 5) => {
  const walker = new Walker(home, home, kind, new SeededRandom(seed), BEIJING);
  return Array.from({ length: steps }, () => walker.step(stepS));
};

describe('demo fleet motion', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const home = COURTS[0]!;
    expect(path('a', 'individual', home, 200)).toEqual(path('a', 'individual', home, 200));
    expect(path('a', 'individual', home, 200)).not.toEqual(path('b', 'individual', home, 200));
  });

  it('keeps every court’s units inside Beijing and near the court for two hours, at plausible speeds', () => {
    for (const court of COURTS) {
      expect(BEIJING.contains(court)).toBe(true);
      for (const kind of ['individual', 'team', 'vehicle'] as const) {
        const fixes = path(`${court.code}-${kind}`, kind, court, 1440);
        let moved = 0;
        let farthestKm = 0;
        let fastestKmh = 0;
        fixes.forEach((fix, i) => {
          farthestKm = Math.max(farthestKm, distanceKm(fix, court));
          if (i === 0) return;
          const km = distanceKm(fixes[i - 1]!, fix);
          moved += km;
          fastestKmh = Math.max(fastestKmh, (km / 5) * 3600);
        });
        expect(farthestKm).toBeLessThan(kind === 'vehicle' ? 6.01 : 2.01);
        expect(fastestKmh).toBeLessThan(kind === 'vehicle' ? 45.1 : 6.1);
        expect(moved).toBeGreaterThan(kind === 'vehicle' ? 5 : 1);
        // Waypoints are checked against the boundary; a straight leg between two may not cut far outside.
        const sample = fixes.filter((_, i) => i % 20 === 0);
        expect(sample.filter((f) => !BEIJING.contains(f)).length / sample.length).toBeLessThan(0.05);
      }
    }
  });

  it('knows Beijing from elsewhere', () => {
    expect(BEIJING.contains({ lat: 39.9042, lon: 116.4074 })).toBe(true);
    expect(BEIJING.contains({ lat: 31.2304, lon: 121.4737 })).toBe(false);
    expect(BEIJING.contains({ lat: 39.0842, lon: 117.201 })).toBe(false);
  });

  it('starts at the given position when it is plausible, else at home', () => {
    const home = { lat: COURTS[5]!.lat, lon: COURTS[5]!.lon };
    const near = { lat: home.lat + 0.005, lon: home.lon };
    expect(new Walker(home, near, 'individual', new SeededRandom('s'), BEIJING).position).toEqual(near);
    const far = { lat: home.lat + 1, lon: home.lon };
    expect(new Walker(home, far, 'individual', new SeededRandom('s'), BEIJING).position).toEqual({ lat: home.lat, lon: home.lon });
  });
});
