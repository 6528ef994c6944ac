/**
 * 交接班: the officer on duty offers the post to the next one with the items still open;
 * accepting signs the outgoing officer out and the incoming one in, in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { API_PREFIX, ErrorCode, ProtocolError, handoverCreateSchema, handoverDecisionSchema, type Handover } from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, courtScope, principalOf } from '../auth/auth.js';
import { getPerson } from '../orgs/repository.js';
import type { Db } from '../store/database.js';
import * as repo from './repository.js';
import { personOf, postFor } from './routes.js';

interface HandoverRow {
  id: string;
  post_id: string;
  from_person_id: string;
  to_person_id: string;
  items: string;
  notes: string;
  status: Handover['status'];
  created_at: string;
  decided_at: string | null;
}
const handoverFrom = (r: HandoverRow): Handover => ({
  id: r.id,
  postId: r.post_id,
  fromPersonId: r.from_person_id,
  toPersonId: r.to_person_id,
  items: JSON.parse(r.items) as Handover['items'],
  notes: r.notes,
  status: r.status,
  createdAt: r.created_at,
  decidedAt: r.decided_at,
});

function getHandover(db: Db, id: string): Handover | undefined {
  const row = db.prepare('SELECT * FROM duty_handovers WHERE id = ?').get(id) as HandoverRow | undefined;
  return row && handoverFrom(row);
}

const listQuery = z
  .object({ postId: z.string().max(64).optional(), status: z.enum(['offered', 'accepted', 'declined']).optional() })
  .strict();

export function registerHandoverRoutes(ctx: HubContext): void {
  const { app, db, auth, mutate } = ctx;
  const officers = auth.require('duty_officer', 'leader', 'technician', 'court_user');

  app.get(`${API_PREFIX}/duty/handovers`, { preHandler: auth.require() }, async (request) => {
    const q = parse(listQuery, request.query);
    const rows = db
      .prepare(
        `SELECT h.* FROM duty_handovers h JOIN duty_posts d ON d.id = h.post_id
         WHERE (@post IS NULL OR h.post_id = @post) AND (@status IS NULL OR h.status = @status) AND (@court IS NULL OR d.court_code = @court)
         ORDER BY h.created_at DESC LIMIT 200`,
      )
      .all({ post: q.postId ?? null, status: q.status ?? null, court: courtScope(principalOf(request)) }) as HandoverRow[];
    return { handovers: rows.map(handoverFrom) };
  });

  app.post(`${API_PREFIX}/duty/handovers`, { preHandler: officers }, async (request, reply) => {
    const principal = principalOf(request);
    const input = parse(handoverCreateSchema, request.body);
    const post = postFor(ctx, principal, input.postId);
    const fromPersonId = personOf(principal);
    if (!repo.openShift(db, post.id, fromPersonId)) throw new ProtocolError(ErrorCode.Forbidden, { reason: 'not on duty at this post' });
    const to = getPerson(db, input.toPersonId);
    if (!to || !to.active || to.id === fromPersonId) throw new ProtocolError(ErrorCode.ValidationFailed, { toPersonId: input.toPersonId });
    if (
      db.prepare("SELECT 1 FROM duty_handovers WHERE post_id = ? AND from_person_id = ? AND status = 'offered'").get(post.id, fromPersonId)
    ) {
      throw new ProtocolError(ErrorCode.Conflict, { reason: 'a handover of this post is already offered' });
    }
    const handover = mutate(actorOf(request), 'duty.handover.offer', ({ emit }) => {
      const id = randomUUID();
      db.prepare(
        "INSERT INTO duty_handovers (id, post_id, from_person_id, to_person_id, items, notes, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'offered', ?)",
      ).run(id, post.id, fromPersonId, to.id, JSON.stringify(input.items), input.notes, new Date(ctx.now()).toISOString());
      emit({ type: 'duty.handover', court: post.court, data: { handoverId: id, postId: post.id, status: 'offered' } });
      const created = getHandover(db, id)!;
      return { value: created, target: `duty_handover:${id}`, after: created };
    });
    return reply.status(201).send(handover);
  });

  app.post(`${API_PREFIX}/duty/handovers/:id/decide`, { preHandler: officers }, async (request) => {
    const id = (request.params as { id: string }).id;
    const before = getHandover(db, id);
    if (!before) throw notFound('handover', id);
    const principal = principalOf(request);
    const post = postFor(ctx, principal, before.postId);
    if (personOf(principal) !== before.toPersonId)
      throw new ProtocolError(ErrorCode.Forbidden, { reason: 'only the incoming officer decides' });
    if (before.status !== 'offered') throw new ProtocolError(ErrorCode.OutOfOrder, { reason: `handover is ${before.status}` });
    const decision = parse(handoverDecisionSchema, request.body);
    const status = decision.accept ? 'accepted' : 'declined';
    return mutate(actorOf(request), `duty.handover.${status === 'accepted' ? 'accept' : 'decline'}`, ({ emit }) => {
      const at = new Date(ctx.now()).toISOString();
      db.prepare('UPDATE duty_handovers SET status = ?, decided_at = ? WHERE id = ?').run(status, at, id);
      if (decision.accept) {
        const outgoing = repo.openShift(db, post.id, before.fromPersonId);
        if (outgoing) {
          repo.signOut(db, outgoing.id, at);
          emit({
            type: 'duty.shift',
            court: post.court,
            data: { postId: post.id, personId: before.fromPersonId, shiftId: outgoing.id, action: 'signed_out' },
          });
        }
        if (!repo.openShift(db, post.id, before.toPersonId)) {
          const incoming = repo.signIn(db, post.id, before.toPersonId, at);
          emit({
            type: 'duty.shift',
            court: post.court,
            data: { postId: post.id, personId: before.toPersonId, shiftId: incoming.id, action: 'signed_in' },
          });
        }
      }
      emit({ type: 'duty.handover', court: post.court, data: { handoverId: id, postId: post.id, status } });
      const after = getHandover(db, id)!;
      return { value: after, target: `duty_handover:${id}`, before, after: { ...after, reason: decision.reason } };
    });
  });
}
