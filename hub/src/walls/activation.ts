/**
 * What a wall shows now: activating a scene or tour (by hand, by an alarm, or by a schedule)
 * records the wall's state and raises `wall.activated`, which the wall windows follow.
 * Schedules fire once when their window opens (a manual change inside the window sticks).
 */
import type { ScheduleBody, WallDoc, WallState } from '@cc/protocol';
import { SYSTEM_ACTOR, type Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { notFound } from '../app/parse.js';
import type { Db } from '../store/database.js';
import { getDoc, listDocs } from './documents.js';

const SCHEDULE_SWEEP_MS = 15_000;

interface StateRow {
  wall_id: string;
  active_kind: 'scene' | 'tour' | null;
  active_id: string | null;
  active_version: number | null;
  activated_at: string | null;
  activated_by: string | null;
  schedule_id: string | null;
  schedule_key: string | null;
}

export function wallState(db: Db, wallId: string): WallState & { scheduleKey: string | null } {
  const row = db.prepare('SELECT * FROM wall_state WHERE wall_id = ?').get(wallId) as StateRow | undefined;
  return {
    wallId,
    active: row?.active_kind && row.active_id ? { kind: row.active_kind, id: row.active_id, version: row.active_version ?? 1 } : null,
    activatedAt: row?.activated_at ?? null,
    activatedBy: row?.activated_by ?? null,
    scheduleId: row?.schedule_id ?? null,
    scheduleKey: row?.schedule_key ?? null,
  };
}

/** Activates a scene or tour of `wallId`. Exported for alarms (emergency scene) and schedules. */
export function activateOnWall(
  ctx: HubContext,
  actor: Actor,
  wallId: string,
  target: { kind: 'scene' | 'tour'; id: string },
  schedule?: { id: string; key: string },
): WallState {
  if (!getDoc(ctx.db, 'wall', wallId)) throw notFound('wall', wallId);
  const doc = getDoc(ctx.db, target.kind, target.id);
  if (!doc || doc.wallId !== wallId) throw notFound(target.kind, target.id);
  const before = wallState(ctx.db, wallId);
  return ctx.mutate(actor, 'wall.activate', ({ db, emit }) => {
    const at = new Date(ctx.now()).toISOString();
    db.prepare(
      `INSERT INTO wall_state (wall_id, active_kind, active_id, active_version, activated_at, activated_by, schedule_id, schedule_key)
       VALUES (@wallId, @kind, @id, @version, @at, @by, @scheduleId, @scheduleKey)
       ON CONFLICT(wall_id) DO UPDATE SET active_kind = excluded.active_kind, active_id = excluded.active_id, active_version = excluded.active_version,
         activated_at = excluded.activated_at, activated_by = excluded.activated_by, schedule_id = excluded.schedule_id,
         schedule_key = COALESCE(excluded.schedule_key, wall_state.schedule_key)`,
    ).run({
      wallId,
      ...target,
      version: doc.version,
      at,
      by: actor.name,
      scheduleId: schedule?.id ?? null,
      scheduleKey: schedule?.key ?? null,
    });
    emit({
      type: 'wall.activated',
      court: null,
      data: { wallId, kind: target.kind, id: target.id, version: doc.version, by: actor.name, scheduleId: schedule?.id ?? null },
    });
    const { scheduleKey: _key, ...after } = wallState(db, wallId);
    const { scheduleKey: _before, ...previous } = before;
    return { value: after, target: `wall:${wallId}`, before: previous, after };
  });
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** When the schedule's window containing `at` opened (ms since the epoch), if `at` is inside one. */
export function windowOpenedAt(s: ScheduleBody, at: number): number | undefined {
  if (!s.enabled) return undefined;
  const local = at + s.utcOffsetMin * 60_000;
  const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
  const minute = Math.floor((local - dayStart) / 60_000);
  const weekday = ((Math.floor(local / 86_400_000) + 3) % 7) + 1; // 1970-01-01 was a Thursday (4)
  const [start, end] = [minutes(s.start), minutes(s.end)];
  const opened = (day: number): number => day + start * 60_000 - s.utcOffsetMin * 60_000;
  if (start < end) return s.days.includes(weekday) && minute >= start && minute < end ? opened(dayStart) : undefined;
  if (minute >= start && s.days.includes(weekday)) return opened(dayStart);
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  if (minute < end && s.days.includes(yesterday)) return opened(dayStart - 86_400_000);
  return undefined;
}

/** The schedule that should be in force on a wall at `at`: the highest priority, then the most recently opened. */
export function scheduleInForce(
  schedules: WallDoc<ScheduleBody>[],
  at: number,
): { schedule: WallDoc<ScheduleBody>; key: string } | undefined {
  let best: { schedule: WallDoc<ScheduleBody>; opened: number } | undefined;
  for (const schedule of schedules) {
    const opened = windowOpenedAt(schedule.body, at);
    if (opened === undefined) continue;
    const better =
      !best ||
      schedule.body.priority > best.schedule.body.priority ||
      (schedule.body.priority === best.schedule.body.priority && opened > best.opened);
    if (better) best = { schedule, opened };
  }
  return best && { schedule: best.schedule, key: `${best.schedule.id}@${new Date(best.opened).toISOString()}@v${best.schedule.version}` };
}

/** Fires the schedules whose window opened since they last fired; returns how many walls changed. */
export function sweepSchedules(ctx: HubContext): number {
  let fired = 0;
  for (const wall of listDocs(ctx.db, 'wall', null)) {
    const due = scheduleInForce(listDocs<ScheduleBody>(ctx.db, 'schedule', wall.id), ctx.now());
    if (!due || wallState(ctx.db, wall.id).scheduleKey === due.key) continue;
    activateOnWall(ctx, SYSTEM_ACTOR, wall.id, due.schedule.body.activate, { id: due.schedule.id, key: due.key });
    fired++;
  }
  return fired;
}

export function startScheduleSweeper(ctx: HubContext): void {
  const timer = setInterval(() => {
    try {
      sweepSchedules(ctx);
    } catch (error) {
      ctx.logger.error({ err: error }, 'wall schedule sweep failed');
    }
  }, SCHEDULE_SWEEP_MS);
  timer.unref();
  ctx.disposables.add('wall schedule sweeper', () => clearInterval(timer));
}
