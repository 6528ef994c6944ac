/**
 * Consultation records (远程会商记录) sent by the SFU: roll-call results, recording
 * manifests, session summaries. Idempotent on recordId; readable by the room.
 */
import { z } from 'zod';
import { CONSULTATION_RECORDS_PATH, consultationRecordSchema, type ConsultationRecord } from '@cc/protocol';
import type { HubModule } from '../app/module.js';
import { parse } from '../app/parse.js';
import { actorOf } from '../auth/auth.js';

const listQuery = z.object({ room: z.string().min(1).max(128), kind: z.enum(['roll_call', 'recording', 'session']).optional() });

export const consultationsModule: HubModule = {
  name: 'consultations',
  migrations: [
    {
      id: 'consultations-001',
      sql: `
        CREATE TABLE consultation_records (
          record_id TEXT PRIMARY KEY,
          room TEXT NOT NULL,
          session_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          started_at TEXT NOT NULL,
          ended_at TEXT NOT NULL,
          body TEXT NOT NULL,
          received_at TEXT NOT NULL
        );
        CREATE INDEX consultation_records_room ON consultation_records(room, started_at);`,
    },
  ],
  register(ctx) {
    const { app, db, auth } = ctx;
    app.post(CONSULTATION_RECORDS_PATH, { preHandler: auth.require('service', 'leader') }, async (request, reply) => {
      const record = parse(consultationRecordSchema, request.body);
      const exists = db.prepare('SELECT 1 FROM consultation_records WHERE record_id = ?').get(record.recordId);
      if (!exists) {
        ctx.mutate(actorOf(request), `consultation.${record.kind}`, ({ emit }) => {
          db.prepare(
            'INSERT INTO consultation_records (record_id, room, session_id, kind, started_at, ended_at, body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          ).run(
            record.recordId,
            record.room,
            record.sessionId,
            record.kind,
            record.startedAt,
            record.endedAt,
            JSON.stringify(record),
            new Date(ctx.now()).toISOString(),
          );
          emit({ type: 'consultation.record', court: null, data: { recordId: record.recordId, room: record.room, kind: record.kind } });
          return { value: undefined, target: `room:${record.room}`, after: record };
        });
      }
      return reply.status(201).send({ recordId: record.recordId });
    });
    app.get(CONSULTATION_RECORDS_PATH, { preHandler: auth.require('service', 'leader', 'duty_officer', 'viewer') }, async (request) => {
      const q = parse(listQuery, request.query);
      const rows = db
        .prepare('SELECT body FROM consultation_records WHERE room = ? AND (? IS NULL OR kind = ?) ORDER BY started_at')
        .all(q.room, q.kind ?? null, q.kind ?? null) as { body: string }[];
      return { records: rows.map((r) => JSON.parse(r.body) as ConsultationRecord) };
    });
  },
};
