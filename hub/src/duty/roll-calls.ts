/**
 * 查岗 roll call of duty posts: every listed post must answer within the window; an answer
 * after the deadline is `late`; posts that never answered are `absent` when the roll call
 * closes (by hand, or automatically one more window after the deadline).
 */
import { randomUUID } from 'node:crypto';
import { API_PREFIX, ErrorCode, ProtocolError, postRollCallAnswerSchema, postRollCallCreateSchema, type PostRollCall } from '@cc/protocol';
import { SYSTEM_ACTOR, type Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, courtScope, principalOf } from '../auth/auth.js';
import type { Db } from '../store/database.js';
import * as repo from './repository.js';
import { personOf, postFor } from './routes.js';

const SWEEP_INTERVAL_MS = 1000;

interface CallRow {
  id: string;
  started_by: string;
  started_at: string;
  deadline_at: string;
  closed_at: string | null;
  note: string;
}
interface CallPostRow {
  post_id: string;
  status: PostRollCall['posts'][number]['status'];
  answered_at: string | null;
  answered_by: string | null;
}

export function getRollCall(db: Db, id: string): PostRollCall | undefined {
  const row = db.prepare('SELECT * FROM duty_roll_calls WHERE id = ?').get(id) as CallRow | undefined;
  if (!row) return undefined;
  const posts = db.prepare('SELECT * FROM duty_roll_call_posts WHERE roll_call_id = ? ORDER BY rowid').all(id) as CallPostRow[];
  return {
    id: row.id,
    startedBy: row.started_by,
    startedAt: row.started_at,
    deadlineAt: row.deadline_at,
    closedAt: row.closed_at,
    note: row.note,
    posts: posts.map((p) => ({ postId: p.post_id, status: p.status, answeredAt: p.answered_at, answeredBy: p.answered_by })),
  };
}

/** Stores a roll call as it happened (imports, demo data): posts with their outcome. */
export function recordRollCall(db: Db, call: PostRollCall): void {
  db.prepare(
    'INSERT INTO duty_roll_calls (id, started_by, started_at, deadline_at, closed_at, note) VALUES (@id, @startedBy, @startedAt, @deadlineAt, @closedAt, @note)',
  ).run(call);
  const insert = db.prepare(
    'INSERT INTO duty_roll_call_posts (roll_call_id, post_id, status, answered_at, answered_by) VALUES (?, ?, ?, ?, ?)',
  );
  for (const p of call.posts) insert.run(call.id, p.postId, p.status, p.answeredAt, p.answeredBy);
}

/** Closes a roll call: every post still pending becomes absent. */
export function closeRollCall(ctx: HubContext, actor: Actor, call: PostRollCall): PostRollCall {
  return ctx.mutate(actor, 'duty.roll_call.close', ({ db, emit }) => {
    const at = new Date(ctx.now()).toISOString();
    db.prepare("UPDATE duty_roll_call_posts SET status = 'absent' WHERE roll_call_id = ? AND status = 'pending'").run(call.id);
    db.prepare('UPDATE duty_roll_calls SET closed_at = ? WHERE id = ?').run(at, call.id);
    emit({ type: 'duty.roll_call', court: null, data: { rollCallId: call.id, action: 'closed' } });
    const after = getRollCall(db, call.id)!;
    return { value: after, target: `duty_roll_call:${call.id}`, before: call, after };
  });
}

/** Closes the roll calls whose grace window (one more answer window after the deadline) is over. */
export function sweepRollCalls(ctx: HubContext): number {
  const open = ctx.db.prepare('SELECT id, started_at, deadline_at FROM duty_roll_calls WHERE closed_at IS NULL').all() as CallRow[];
  const due = open.filter((c) => 2 * Date.parse(c.deadline_at) - Date.parse(c.started_at) <= ctx.now());
  for (const { id } of due) closeRollCall(ctx, SYSTEM_ACTOR, getRollCall(ctx.db, id)!);
  return due.length;
}

export function registerRollCallRoutes(ctx: HubContext): void {
  const { app, db, auth, mutate } = ctx;
  const commanders = auth.require('duty_officer', 'leader');

  /** A court user sees only its own court's posts of a roll call (and only roll calls that include one). */
  const visible = (call: PostRollCall, court: string | null): PostRollCall | undefined => {
    if (court === null) return call;
    const mine = new Set(repo.listPosts(db, court).map((p) => p.id));
    const posts = call.posts.filter((p) => mine.has(p.postId));
    return posts.length > 0 ? { ...call, posts } : undefined;
  };
  app.get(`${API_PREFIX}/duty/roll-calls`, { preHandler: auth.require() }, async (request) => {
    const court = courtScope(principalOf(request));
    const ids = db.prepare('SELECT id FROM duty_roll_calls ORDER BY started_at DESC LIMIT 100').all() as { id: string }[];
    return { rollCalls: ids.map(({ id }) => visible(getRollCall(db, id)!, court)).filter((c) => c !== undefined) };
  });
  app.get(`${API_PREFIX}/duty/roll-calls/:id`, { preHandler: auth.require() }, async (request) => {
    const id = (request.params as { id: string }).id;
    const call = getRollCall(db, id);
    const shown = call && visible(call, courtScope(principalOf(request)));
    if (!shown) throw notFound('rollCall', id);
    return shown;
  });
  app.post(`${API_PREFIX}/duty/roll-calls`, { preHandler: commanders }, async (request, reply) => {
    const input = parse(postRollCallCreateSchema, request.body);
    const posts = input.postIds.map((postId) => postFor(ctx, principalOf(request), postId));
    const call = mutate(actorOf(request), 'duty.roll_call.start', ({ emit }) => {
      const id = randomUUID();
      const now = ctx.now();
      db.prepare('INSERT INTO duty_roll_calls (id, started_by, started_at, deadline_at, note) VALUES (?, ?, ?, ?, ?)').run(
        id,
        principalOf(request).id,
        new Date(now).toISOString(),
        new Date(now + input.answerWithinS * 1000).toISOString(),
        input.note,
      );
      const insert = db.prepare("INSERT INTO duty_roll_call_posts (roll_call_id, post_id, status) VALUES (?, ?, 'pending')");
      for (const post of posts) {
        insert.run(id, post.id);
        emit({ type: 'duty.roll_call', court: post.court, data: { rollCallId: id, action: 'started', postId: post.id } });
      }
      const created = getRollCall(db, id)!;
      return { value: created, target: `duty_roll_call:${id}`, after: created };
    });
    return reply.status(201).send(call);
  });
  app.post(
    `${API_PREFIX}/duty/roll-calls/:id/answer`,
    { preHandler: auth.require('duty_officer', 'leader', 'court_user') },
    async (request) => {
      const id = (request.params as { id: string }).id;
      const call = getRollCall(db, id);
      if (!call) throw notFound('rollCall', id);
      const { postId } = parse(postRollCallAnswerSchema, request.body);
      const principal = principalOf(request);
      const post = postFor(ctx, principal, postId);
      const entry = call.posts.find((p) => p.postId === postId);
      if (!entry) throw notFound('rollCallPost', postId);
      if (call.closedAt) throw new ProtocolError(ErrorCode.OutOfOrder, { reason: 'roll call is closed' });
      if (entry.status !== 'pending') throw new ProtocolError(ErrorCode.Conflict, { reason: 'already answered' });
      if (!repo.openShift(db, postId, personOf(principal)))
        throw new ProtocolError(ErrorCode.Forbidden, { reason: 'not on duty at this post' });
      const now = ctx.now();
      const status = now <= Date.parse(call.deadlineAt) ? 'answered' : 'late';
      return mutate(actorOf(request), 'duty.roll_call.answer', ({ emit }) => {
        db.prepare(
          'UPDATE duty_roll_call_posts SET status = ?, answered_at = ?, answered_by = ? WHERE roll_call_id = ? AND post_id = ?',
        ).run(status, new Date(now).toISOString(), principal.id, id, postId);
        emit({ type: 'duty.roll_call', court: post.court, data: { rollCallId: id, action: 'answered', postId, status } });
        const after = getRollCall(db, id)!;
        return { value: after, target: `duty_roll_call:${id}`, before: entry, after: after.posts.find((p) => p.postId === postId) };
      });
    },
  );
  app.post(`${API_PREFIX}/duty/roll-calls/:id/close`, { preHandler: commanders }, async (request) => {
    const id = (request.params as { id: string }).id;
    const call = getRollCall(db, id);
    if (!call) throw notFound('rollCall', id);
    if (call.closedAt) throw new ProtocolError(ErrorCode.OutOfOrder, { reason: 'roll call is closed' });
    return closeRollCall(ctx, actorOf(request), call);
  });

  const timer = setInterval(() => {
    try {
      sweepRollCalls(ctx);
    } catch (error) {
      ctx.logger.error({ err: error }, 'roll-call sweep failed');
    }
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  ctx.disposables.add('duty roll-call sweeper', () => clearInterval(timer));
}
