/** `/api/v1/duty/posts`, `/roster`, `/sign-in`, `/sign-out`, `/on-duty`, `/log`: posts, rosters, shifts and the duty log. */
import {
  API_PREFIX,
  ErrorCode,
  ProtocolError,
  dutyLogCreateSchema,
  dutyLogQuerySchema,
  dutyPostCreateSchema,
  dutySignInSchema,
  rosterEntryCreateSchema,
  rosterQuerySchema,
  type DutyPost,
  type Principal,
} from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, assertCourtAccess, courtScope, principalOf } from '../auth/auth.js';
import { getCourt, getPerson } from '../orgs/repository.js';
import * as repo from './repository.js';

const idParam = (params: unknown): string => (params as { id: string }).id;

/** The post, after checking the caller may act on its court. */
export function postFor(ctx: HubContext, principal: Principal, postId: string): DutyPost {
  const post = repo.getPost(ctx.db, postId);
  if (!post) throw notFound('post', postId);
  assertCourtAccess(principal, post.court);
  return post;
}

/** Only people (not service tokens) sign in, answer and hand over. */
export function personOf(principal: Principal): string {
  if (principal.role === 'service') throw new ProtocolError(ErrorCode.Forbidden, { reason: 'a person must do this' });
  return principal.id;
}

export function registerDutyRoutes(ctx: HubContext): void {
  registerPostAndRosterRoutes(ctx);
  registerShiftRoutes(ctx);
  registerLogRoutes(ctx);
}

function registerPostAndRosterRoutes(ctx: HubContext): void {
  const { app, db, auth, mutate } = ctx;
  const anyone = auth.require();
  const planners = auth.require('leader', 'duty_officer');

  app.get(`${API_PREFIX}/duty/posts`, { preHandler: anyone }, async (request) => ({
    posts: repo.listPosts(db, courtScope(principalOf(request))),
  }));
  app.post(`${API_PREFIX}/duty/posts`, { preHandler: auth.require('leader') }, async (request, reply) => {
    const input = parse(dutyPostCreateSchema, request.body);
    if (!getCourt(db, input.court)) throw new ProtocolError(ErrorCode.ValidationFailed, { unknownCourt: input.court });
    if (repo.listPosts(db, input.court).some((p) => p.name === input.name))
      throw new ProtocolError(ErrorCode.Conflict, { post: input.name });
    const post = mutate(actorOf(request), 'duty.post.create', ({ emit }) => {
      const created = repo.insertPost(db, input);
      emit({ type: 'entity.changed', court: created.court, data: { entity: 'duty_post', id: created.id, action: 'created' } });
      return { value: created, target: `duty_post:${created.id}`, after: created };
    });
    return reply.status(201).send(post);
  });

  app.get(`${API_PREFIX}/duty/roster`, { preHandler: anyone }, async (request) => {
    const q = parse(rosterQuerySchema, request.query);
    return { entries: repo.listRoster(db, { ...q, court: courtScope(principalOf(request)) }) };
  });
  app.post(`${API_PREFIX}/duty/roster`, { preHandler: planners }, async (request, reply) => {
    const input = parse(rosterEntryCreateSchema, request.body);
    const post = postFor(ctx, principalOf(request), input.postId);
    const person = getPerson(db, input.personId);
    if (!person || !person.active) throw new ProtocolError(ErrorCode.ValidationFailed, { unknownPerson: input.personId });
    const clashes = repo.overlappingRoster(db, input.personId, input.startsAt, input.endsAt);
    if (clashes.length > 0) throw new ProtocolError(ErrorCode.Conflict, { overlaps: clashes });
    const entry = mutate(actorOf(request), 'duty.roster.create', ({ emit }) => {
      const created = repo.insertRosterEntry(db, input);
      emit({ type: 'duty.roster', court: post.court, data: { entryId: created.id, postId: post.id, action: 'created' } });
      return { value: created, target: `duty_roster:${created.id}`, after: created };
    });
    return reply.status(201).send(entry);
  });
  app.delete(`${API_PREFIX}/duty/roster/:id`, { preHandler: planners }, async (request, reply) => {
    const before = repo.getRosterEntry(db, idParam(request.params));
    if (!before) throw notFound('rosterEntry', idParam(request.params));
    const post = postFor(ctx, principalOf(request), before.postId);
    mutate(actorOf(request), 'duty.roster.delete', ({ emit }) => {
      db.prepare('DELETE FROM duty_roster WHERE id = ?').run(before.id);
      emit({ type: 'duty.roster', court: post.court, data: { entryId: before.id, postId: post.id, action: 'deleted' } });
      return { value: null, target: `duty_roster:${before.id}`, before };
    });
    return reply.status(204).send();
  });
}

function registerShiftRoutes(ctx: HubContext): void {
  const { app, db, auth, mutate } = ctx;
  const officers = auth.require('duty_officer', 'leader', 'technician', 'court_user');

  // Who is signed in, and who the roster puts on a post now but has not signed in (缺岗).
  app.get(`${API_PREFIX}/duty/on-duty`, { preHandler: auth.require() }, async (request) => {
    const court = courtScope(principalOf(request));
    const shifts = repo.onDuty(db, court);
    const now = new Date(ctx.now()).toISOString();
    const rostered = repo.listRoster(db, { from: now, to: new Date(ctx.now() + 1).toISOString(), court });
    const missing = rostered.filter((e) => !shifts.some((s) => s.postId === e.postId && s.personId === e.personId));
    return { shifts, missing };
  });
  app.post(`${API_PREFIX}/duty/sign-in`, { preHandler: officers }, async (request, reply) => {
    const principal = principalOf(request);
    const { postId } = parse(dutySignInSchema, request.body);
    const post = postFor(ctx, principal, postId);
    const personId = personOf(principal);
    if (repo.openShift(db, postId, personId)) throw new ProtocolError(ErrorCode.Conflict, { reason: 'already signed in at this post' });
    const shift = mutate(actorOf(request), 'duty.sign_in', ({ emit }) => {
      const opened = repo.signIn(db, postId, personId, new Date(ctx.now()).toISOString());
      emit({ type: 'duty.shift', court: post.court, data: { postId, personId, shiftId: opened.id, action: 'signed_in' } });
      return { value: opened, target: `duty_post:${postId}`, after: opened };
    });
    return reply.status(201).send(shift);
  });
  app.post(`${API_PREFIX}/duty/sign-out`, { preHandler: officers }, async (request) => {
    const principal = principalOf(request);
    const { postId } = parse(dutySignInSchema, request.body);
    const post = postFor(ctx, principal, postId);
    const personId = personOf(principal);
    const open = repo.openShift(db, postId, personId);
    if (!open) throw new ProtocolError(ErrorCode.OutOfOrder, { reason: 'not signed in at this post' });
    return mutate(actorOf(request), 'duty.sign_out', ({ emit }) => {
      const closed = repo.signOut(db, open.id, new Date(ctx.now()).toISOString());
      emit({ type: 'duty.shift', court: post.court, data: { postId, personId, shiftId: open.id, action: 'signed_out' } });
      return { value: closed, target: `duty_post:${postId}`, before: open, after: closed };
    });
  });
}

function registerLogRoutes(ctx: HubContext): void {
  const { app, db, auth, mutate } = ctx;

  app.get(`${API_PREFIX}/duty/log`, { preHandler: auth.require() }, async (request) => {
    const q = parse(dutyLogQuerySchema, request.query);
    const scope = courtScope(principalOf(request));
    if (scope && q.court && q.court !== scope) throw new ProtocolError(ErrorCode.Forbidden, { court: q.court });
    return { entries: repo.listLog(db, { ...q, court: scope ?? q.court ?? null }) };
  });
  app.post(
    `${API_PREFIX}/duty/log`,
    { preHandler: auth.require('duty_officer', 'leader', 'technician', 'court_user') },
    async (request, reply) => {
      const principal = principalOf(request);
      const input = parse(dutyLogCreateSchema, request.body);
      const post = input.postId ? postFor(ctx, principal, input.postId) : undefined;
      if (post && input.court && input.court !== post.court)
        throw new ProtocolError(ErrorCode.ValidationFailed, { court: 'not the post’s court' });
      const court = post?.court ?? input.court ?? principal.court;
      if (court && !getCourt(db, court)) throw new ProtocolError(ErrorCode.ValidationFailed, { unknownCourt: court });
      assertCourtAccess(principal, court);
      const now = ctx.now();
      if (input.at && Date.parse(input.at) > now + 60_000) throw new ProtocolError(ErrorCode.ValidationFailed, { at: 'in the future' });
      const entry = mutate(actorOf(request), 'duty.log', ({ emit }) => {
        const stored = repo.appendLog(db, {
          at: new Date(input.at ?? now).toISOString(),
          recordedAt: new Date(now).toISOString(),
          postId: post?.id ?? null,
          court: court ?? null,
          authorId: principal.id,
          authorName: principal.name,
          kind: input.kind,
          text: input.text,
        });
        emit({ type: 'duty.log', court: stored.court, data: { entryId: stored.id, postId: stored.postId, kind: stored.kind } });
        return { value: stored, target: `duty_log:${stored.id}`, after: stored };
      });
      return reply.status(201).send(entry);
    },
  );
}
