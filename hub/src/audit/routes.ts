/** `/api/v1/audit`: read the trail (admins and leaders) and verify the chain. */
import { z } from 'zod';
import { API_PREFIX } from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { parse } from '../app/parse.js';

const listQuery = z.object({
  target: z.string().max(200).optional(),
  actor: z.string().max(100).optional(),
  after: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export function registerAuditRoutes(ctx: HubContext): void {
  const guard = ctx.auth.require('leader');
  ctx.app.get(`${API_PREFIX}/audit`, { preHandler: guard }, async (request) => {
    const q = parse(listQuery, request.query);
    return { entries: ctx.audit.list({ target: q.target, actorId: q.actor, afterSeq: q.after, limit: q.limit }) };
  });
  ctx.app.get(`${API_PREFIX}/audit/verify`, { preHandler: guard }, async () => ctx.audit.verify());
}
