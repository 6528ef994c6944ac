import { describe, expect, it } from 'vitest';
import { DAY_MS, parseDateInput } from './calendar.js';
import { deductedDue, mergedPeriods, periodDays, type Period } from './deductions.js';
import { NodeStateCode } from '../stats/aggregates.js';
import { retimedState } from './retime.js';

const d = (date: string): number => parseDateInput(date);
const rule = { deductedBy: ['suspension', 'appraisal'] as Period['reason'][] };

describe('deduction periods applied to a due time', () => {
  it('deducts overlapping periods of different reasons once and ignores reasons the rule does not list', () => {
    const periods: Period[] = [
      { reason: 'appraisal', start: d('2026-03-05'), end: d('2026-03-15') },
      { reason: 'suspension', start: d('2026-03-10'), end: d('2026-03-20') },
      { reason: 'public_notice', start: d('2026-03-01'), end: d('2026-04-01') },
    ];
    const merged = mergedPeriods(periods, rule);
    expect(merged).toEqual([{ reason: 'appraisal', start: d('2026-03-05'), end: d('2026-03-20') }]);
    // Started 1 March, due end of 31 March: 15 days deducted.
    expect(deductedDue(d('2026-04-01'), d('2026-03-01'), merged, d('2026-06-01')).due).toBe(d('2026-04-16'));
    expect(mergedPeriods(periods, { deductedBy: [] })).toEqual([]);
    expect(mergedPeriods(periods, {})).toEqual([]);
  });

  it('counts a period only from the day the node started and only if it starts before the (moving) due time', () => {
    const a: Period = { reason: 'suspension', start: d('2026-03-01'), end: d('2026-03-11') };
    const b: Period = { reason: 'suspension', start: d('2026-03-20'), end: d('2026-03-25') };
    const merged = mergedPeriods([a, b], rule);
    // Node started 6 March (inside a): 5 days of a; due 18 March → 23 March, so b (from 20 March) counts too: +5.
    expect(deductedDue(d('2026-03-18'), d('2026-03-06T15:00:00+08:00'), merged, d('2026-06-01')).due).toBe(d('2026-03-28'));
    // A period that starts on or after the due time changes nothing (an overdue node stays overdue).
    expect(deductedDue(d('2026-02-20'), d('2026-02-01'), merged, d('2026-06-01')).due).toBe(d('2026-02-20'));
  });

  it('an open period stops the clock: paused, due as if it ended today', () => {
    const open: Period = { reason: 'suspension', start: d('2026-05-30'), end: null };
    const result = deductedDue(d('2026-06-05'), d('2026-05-25'), mergedPeriods([open], rule), d('2026-06-01T10:00:00+08:00'));
    expect(result).toEqual({ due: d('2026-06-08'), paused: true });
    expect(periodDays(open, d('2026-06-01T10:00:00+08:00'))).toBe(3);
  });

  it('writes improvements at once and leaves worsening to the deadline engine (no warnings while paused)', () => {
    const now = d('2026-06-10');
    const due = (days: number): number => now + days * DAY_MS;
    const r = { base: 0, paused: false, active: true, warnDays: 3 };
    expect(retimedState({ state: NodeStateCode.overdue }, { ...r, due: due(10) }, now)).toEqual({ state: 0, nextAt: due(7) });
    expect(retimedState({ state: NodeStateCode.pending }, { ...r, due: due(-1) }, now)).toEqual({ state: 0, nextAt: due(-1) });
    expect(retimedState({ state: NodeStateCode.pending }, { ...r, due: due(2) }, now)).toEqual({ state: 0, nextAt: due(-1) });
    expect(retimedState({ state: NodeStateCode.pending }, { ...r, due: due(-1), paused: true }, now)).toEqual({ state: 0, nextAt: null });
    expect(retimedState({ state: NodeStateCode.overdue }, { ...r, due: due(1), active: false }, now)).toEqual({ state: 1, nextAt: null });
  });
});
