/** `/api/v1/alarms` (raise by hand) and `/api/v1/incidents` (list, detail, actions). */
import { z } from 'zod';
import { API_PREFIX, incidentActionSchema, manualAlarmSchema } from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, assertCourtAccess, courtScope, principalOf } from '../auth/auth.js';
import * as repo from './repository.js';
import { actOnIncident, raiseAlarm } from './service.js';

const listQuery = z.object({
  status: z.enum(['active', 'closed', 'all']).default('active'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function registerAlarmRoutes(ctx: HubContext): void {
  const { app, auth, db } = ctx;
  const handlers = auth.require('duty_officer', 'leader');

  app.post(`${API_PREFIX}/alarms`, { preHandler: auth.require('duty_officer', 'leader', 'court_user') }, async (request, reply) => {
    const input = parse(manualAlarmSchema, request.body);
    const principal = principalOf(request);
    const court = courtScope(principal) ?? input.court;
    const alarm = raiseAlarm(ctx, actorOf(request), {
      source: 'manual',
      deviceId: null,
      channelId: null,
      unitId: input.unitId,
      court,
      priority: input.priority,
      kind: input.kind,
      description: input.description,
      lat: input.lat ?? null,
      lon: input.lon ?? null,
      raisedAt: new Date(ctx.now()).toISOString(),
    });
    return reply.status(201).send(alarm);
  });

  app.get(`${API_PREFIX}/incidents`, { preHandler: auth.require() }, async (request) => {
    const q = parse(listQuery, request.query);
    return { incidents: repo.listIncidents(db, { status: q.status, court: courtScope(principalOf(request)), limit: q.limit }) };
  });

  app.get(`${API_PREFIX}/incidents/:id`, { preHandler: auth.require() }, async (request) => {
    const { id } = request.params as { id: string };
    const incident = repo.getIncident(db, id);
    if (!incident) throw notFound('incident', id);
    assertCourtAccess(principalOf(request), incident.court);
    return incident;
  });

  app.post(`${API_PREFIX}/incidents/:id/actions`, { preHandler: handlers }, async (request) => {
    const { id } = request.params as { id: string };
    return actOnIncident(ctx, actorOf(request), id, parse(incidentActionSchema, request.body));
  });
}
