/**
 * 指令 module: `/api/v1/instructions`. The centre sends an instruction to courts and field
 * units; each recipient's client reports delivery, and the recipient acknowledges (a unit's
 * delivery/acknowledgement may come from its court's user or from the bridge as a service).
 */
import { randomUUID } from 'node:crypto';
import {
  API_PREFIX,
  ErrorCode,
  ProtocolError,
  instructionAckSchema,
  instructionCreateSchema,
  instructionDeliveredSchema,
  instructionListQuerySchema,
  type Instruction,
} from '@cc/protocol';
import type { FastifyRequest } from 'fastify';
import type { HubContext, HubModule } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, courtScope, principalOf } from '../auth/auth.js';
import { getCourt, getUnit } from '../orgs/repository.js';
import { instructionMigrations, loadInstruction, recipientState, type RecipientRow } from './store.js';

function register(ctx: HubContext): void {
  const { app, db, auth } = ctx;
  const recipients = auth.require('court_user', 'duty_officer', 'service');

  const recipientOf = (request: FastifyRequest, key: string): RecipientRow => {
    const id = (request.params as { id: string }).id;
    const row = db.prepare('SELECT * FROM instruction_recipients WHERE instruction_id = ? AND recipient = ?').get(id, key) as
      RecipientRow | undefined;
    const scope = courtScope(principalOf(request));
    if (!row || (scope && scope !== row.court_code)) throw notFound('instructionRecipient', `${id}/${key}`);
    return row;
  };

  /** Marks delivery (and acknowledgement) of one recipient; repeating a step is a no-op. */
  const mark = (request: FastifyRequest, key: string, ack: { note: string } | null): Instruction => {
    const before = recipientOf(request, key);
    const actor = actorOf(request);
    const now = ctx.now();
    if (ack === null ? before.delivered_at !== null : before.acknowledged_at !== null) {
      return loadInstruction(db, before.instruction_id, courtScope(principalOf(request)))!;
    }
    return ctx.mutate(actor, ack ? 'instruction.acknowledge' : 'instruction.deliver', ({ emit }) => {
      const after: RecipientRow = { ...before, delivered_at: before.delivered_at ?? now };
      if (ack) Object.assign(after, { acknowledged_at: now, ack_by_id: actor.id, ack_by_name: actor.name, note: ack.note });
      db.prepare(
        `UPDATE instruction_recipients SET delivered_at = @delivered_at, acknowledged_at = @acknowledged_at, ack_by_id = @ack_by_id,
           ack_by_name = @ack_by_name, note = @note WHERE instruction_id = @instruction_id AND recipient = @recipient`,
      ).run(after);
      emit({
        type: 'instruction.changed',
        court: after.court_code,
        data: { id: after.instruction_id, recipient: key, state: recipientState(after) },
      });
      const value = loadInstruction(db, after.instruction_id, courtScope(principalOf(request)))!;
      return {
        value,
        target: `instruction:${after.instruction_id}`,
        before: { recipient: key, state: recipientState(before) },
        after: { recipient: key, state: recipientState(after) },
      };
    });
  };

  app.post(`${API_PREFIX}/instructions`, { preHandler: auth.require('duty_officer', 'leader') }, async (request, reply) => {
    const input = parse(instructionCreateSchema, request.body);
    const resolved = new Map<string, { kind: 'court' | 'unit'; court: string }>();
    for (const r of input.recipients) {
      const court = r.kind === 'court' ? getCourt(db, r.id)?.code : getUnit(db, r.id)?.court;
      if (!court) throw new ProtocolError(ErrorCode.ValidationFailed, { unknownRecipient: `${r.kind}:${r.id}` });
      resolved.set(`${r.kind}:${r.id}`, { kind: r.kind, court });
    }
    const actor = actorOf(request);
    const created = ctx.mutate(actor, 'instruction.send', ({ emit }) => {
      const id = randomUUID();
      db.prepare(
        'INSERT INTO instructions (id, title, content, priority, require_ack, issuer_id, issuer_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(id, input.title, input.content, input.priority, input.requireAck ? 1 : 0, actor.id, actor.name, ctx.now());
      const insert = db.prepare('INSERT INTO instruction_recipients (instruction_id, recipient, kind, court_code) VALUES (?, ?, ?, ?)');
      for (const [key, r] of resolved) {
        insert.run(id, key, r.kind, r.court);
        emit({ type: 'instruction.changed', court: r.court, data: { id, recipient: key, state: 'sent' } });
      }
      const value = loadInstruction(db, id, null)!;
      return { value, target: `instruction:${id}`, after: value };
    });
    return reply.status(201).send(created);
  });

  app.get(`${API_PREFIX}/instructions`, { preHandler: auth.require() }, async (request) => {
    const q = parse(instructionListQuerySchema, request.query);
    const scope = courtScope(principalOf(request));
    if (scope && q.court && q.court !== scope) throw new ProtocolError(ErrorCode.Forbidden, { court: q.court });
    const court = scope ?? q.court ?? null;
    const ids = db
      .prepare(
        `SELECT i.id FROM instructions i WHERE (@court IS NULL OR EXISTS (SELECT 1 FROM instruction_recipients r WHERE r.instruction_id = i.id AND r.court_code = @court))
           AND (@pending IS NULL OR EXISTS (SELECT 1 FROM instruction_recipients r WHERE r.instruction_id = i.id
             AND (@court IS NULL OR r.court_code = @court) AND (r.acknowledged_at IS NULL) = @pending))
         ORDER BY i.created_at DESC LIMIT @limit`,
      )
      .all({ court, pending: q.pending === undefined ? null : q.pending === 'true' ? 1 : 0, limit: q.limit }) as { id: string }[];
    return { instructions: ids.map((r) => loadInstruction(db, r.id, court)!) };
  });
  app.get(`${API_PREFIX}/instructions/:id`, { preHandler: auth.require() }, async (request) => {
    const id = (request.params as { id: string }).id;
    const instruction = loadInstruction(db, id, courtScope(principalOf(request)));
    if (!instruction) throw notFound('instruction', id);
    return instruction;
  });
  app.post(`${API_PREFIX}/instructions/:id/delivered`, { preHandler: recipients }, async (request) => {
    const { recipient } = parse(instructionDeliveredSchema, request.body);
    return mark(request, recipient, null);
  });
  app.post(`${API_PREFIX}/instructions/:id/ack`, { preHandler: recipients }, async (request) => {
    const { recipient, note } = parse(instructionAckSchema, request.body);
    return mark(request, recipient, { note });
  });
}

export const instructionsModule: HubModule = { name: 'instructions', migrations: instructionMigrations, register };
