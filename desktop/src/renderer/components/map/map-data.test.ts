import { describe, expect, it } from 'vitest';
import { sampleAlarm, sampleCourt, sampleIncident, sampleUnit } from '../../testing/samples';
import {
  STALE_AFTER_S,
  alarmPoints,
  byLabelPriority,
  courtPoints,
  declutter,
  districtLabels,
  pulseRadius,
  shortCourtName,
  unitColour,
  unitPoints,
} from './map-data';

describe('map data', () => {
  it('shortens court names for labels', () => {
    expect(shortCourtName('北京市海淀区人民法院')).toBe('海淀法院');
    expect(shortCourtName('北京市高级人民法院')).toBe('高级法院');
    expect(shortCourtName('北京知识产权法院')).toBe('北京知识产权法院');
    expect(courtPoints([sampleCourt])[0]).toMatchObject({ label: '海淀法院', position: [116.3, 39.96] });
  });

  it('colours units by status and fades stale positions; units without a position are not drawn', () => {
    expect(unitColour('available', 10)).toEqual([46, 204, 113, 235]);
    expect(unitColour('busy', STALE_AFTER_S + 1)[3]).toBeLessThan(128);
    const now = Date.parse('2026-11-21T10:02:00.000Z');
    expect(unitPoints([sampleUnit(), sampleUnit({ id: 'u2', position: null })], now)).toEqual([
      { id: 'u1', name: '海淀一组', status: 'available', ageS: 120, position: [116.31, 39.96] },
    ]);
  });

  it('places an incident at its latest located alarm, else at its court, else nowhere', () => {
    const courts = new Map([[sampleCourt.code, sampleCourt]]);
    const located = sampleIncident({ alarms: [sampleAlarm({ lat: 40, lon: 116 }), sampleAlarm({ id: 'a2', lat: null, lon: null })] });
    const atCourt = sampleIncident({ id: 'i2', alarms: [sampleAlarm({ lat: null, lon: null })] });
    const nowhere = sampleIncident({ id: 'i3', court: null, alarms: [] });
    expect(alarmPoints([located, atCourt, nowhere], courts).map((p) => [p.incidentId, p.position])).toEqual([
      ['i1', [116, 40]],
      ['i2', [116.3, 39.96]],
    ]);
  });

  it('pulses open incidents only', () => {
    const point = { incidentId: 'i', title: 't', priority: 1, status: 'open' as const, position: [0, 0] as [number, number] };
    expect(pulseRadius(point, 0)).not.toBe(pulseRadius(point, 0.5));
    expect(pulseRadius({ ...point, status: 'acknowledged' }, 0)).toBe(pulseRadius({ ...point, status: 'acknowledged' }, 0.5));
  });

  it('labels districts at the mean of their largest ring and skips unnamed ones', () => {
    const square: GeoJSON.Position[] = [
      [0, 0],
      [2, 0],
      [2, 2],
      [0, 2],
    ];
    const labels = districtLabels([
      { type: 'Feature', properties: { name: '东城区' }, geometry: { type: 'Polygon', coordinates: [square] } },
      { type: 'Feature', properties: { name: '西城区' }, geometry: { type: 'MultiPolygon', coordinates: [[[[5, 5]]], [square]] } },
      { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [square] } },
    ]);
    expect(labels).toEqual([
      { name: '东城区', position: [1, 1] },
      { name: '西城区', position: [1, 1] },
    ]);
  });
});

describe('label placement', () => {
  it('keeps labels in priority order and drops those that would overlap a kept one', () => {
    const box = (key: string, x: number, y: number) => ({ key, x, y, width: 50, height: 14 });
    const kept = declutter([box('high', 0, 0), box('overlaps-high', 30, 5), box('below', 0, 20), box('far', 200, 0)]);
    expect([...kept].sort()).toEqual(['below', 'far', 'high']);
  });

  it('orders courts high, intermediate, district, special', () => {
    const points = courtPoints([
      { ...sampleCourt, code: '117300', level: 'special' },
      { ...sampleCourt, code: '110108', level: 'basic' },
      { ...sampleCourt, code: '110000', level: 'high' },
      { ...sampleCourt, code: '110100', level: 'intermediate' },
    ]);
    expect(byLabelPriority(points).map((p) => p.code)).toEqual(['110000', '110100', '110108', '117300']);
  });
});
