import { describe, expect, it } from 'vitest';
import { DEFAULT_LAST_WARN_DAYS, isPressing, lastWarnDays, nextChinaMidnight, timeLeft } from './deadline-model';

/** A hub-computed due time: the end of the last day, i.e. 2026-12-02 00:00 China time. */
const DUE = '2026-12-01T16:00:00.000Z';
const at = (iso: string): number => Date.parse(iso);

describe('deadline model', () => {
  it('counts days left in China calendar days, like the hub’s D-n reminders', () => {
    // The D-7 reminder fires at 2026-11-25 00:00 China time (16:00 UTC the day before).
    expect(timeLeft(DUE, at('2026-11-24T15:59:59.999Z'))).toEqual({ kind: 'left', days: 8 });
    expect(timeLeft(DUE, at('2026-11-24T16:00:00.000Z'))).toEqual({ kind: 'left', days: 7 });
    // A UTC date would still say 11-24 here; China time is already on 11-25.
    expect(timeLeft(DUE, at('2026-11-24T23:00:00.000Z'))).toEqual({ kind: 'left', days: 7 });
    expect(timeLeft(DUE, at('2026-12-01T15:59:59.999Z'))).toEqual({ kind: 'left', days: 1 });
  });

  it('turns overdue by one day at the due midnight, China time', () => {
    expect(timeLeft(DUE, at(DUE))).toEqual({ kind: 'overdue', days: 1 });
    expect(timeLeft(DUE, at('2026-12-02T15:59:59.999Z'))).toEqual({ kind: 'overdue', days: 1 });
    expect(timeLeft(DUE, at('2026-12-02T16:00:00.000Z'))).toEqual({ kind: 'overdue', days: 2 });
    expect(timeLeft(DUE, at('2026-12-06T16:00:00.000Z'))).toEqual({ kind: 'overdue', days: 6 });
  });

  it('says due today for a due time later the same China day (an imported due time)', () => {
    const due = '2026-12-02T02:00:00.000Z'; // 10:00 China time
    expect(timeLeft(due, at('2026-12-01T15:59:59.000Z'))).toEqual({ kind: 'left', days: 1 });
    expect(timeLeft(due, at('2026-12-01T16:00:00.000Z'))).toEqual({ kind: 'left', days: 0 });
    expect(timeLeft(due, at('2026-12-02T01:59:59.999Z'))).toEqual({ kind: 'left', days: 0 });
    expect(timeLeft(due, at(due))).toEqual({ kind: 'overdue', days: 1 });
  });

  it('finds the next China midnight and a type’s last warning threshold', () => {
    expect(nextChinaMidnight(at('2026-11-24T15:59:59.999Z'))).toBe(at('2026-11-24T16:00:00.000Z'));
    expect(nextChinaMidnight(at('2026-11-24T16:00:00.000Z'))).toBe(at('2026-11-25T16:00:00.000Z'));
    expect(lastWarnDays({ warnDays: 30, remindDays: [15, 7] })).toBe(7);
    expect(lastWarnDays({ warnDays: 3 })).toBe(3);
    expect(lastWarnDays({ warnDays: 10, remindDays: [] })).toBe(10);
  });

  it('makes a countdown stand out within the last threshold, and every overdue node', () => {
    expect(isPressing({ kind: 'left', days: 8 }, 7)).toBe(false);
    expect(isPressing({ kind: 'left', days: 7 }, 7)).toBe(true);
    expect(isPressing({ kind: 'left', days: 2 }, 1)).toBe(false);
    expect(isPressing({ kind: 'left', days: DEFAULT_LAST_WARN_DAYS })).toBe(true);
    expect(isPressing({ kind: 'overdue', days: 1 }, 1)).toBe(true);
  });
});
