/**
 * Node catalog module: node types with category and deadline rule. Seeds the documented
 * default catalog on first start; admins edit it through `/api/v1/catalog/node-types`.
 * A changed rule applies to nodes imported afterwards (stored due times are kept).
 */
import { API_PREFIX, nodeTypePutSchema, nodeTypeCodeSchema } from '@cc/protocol';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import type { HubContext, HubModule } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf } from '../auth/auth.js';
import { defaultCatalog } from './default-catalog.js';
import { catalogMigrations, catalogOf, invalidateCatalog, putNodeType } from './repository.js';

function seedDefaults(ctx: HubContext): void {
  const { n } = ctx.db.prepare('SELECT COUNT(*) AS n FROM node_types').get() as { n: number };
  if (n > 0) return;
  ctx.mutate(SYSTEM_ACTOR, 'catalog.seed', () => {
    for (const type of defaultCatalog) putNodeType(ctx.db, type);
    return { value: undefined, target: 'catalog', after: { nodeTypes: defaultCatalog.length } };
  });
  invalidateCatalog(ctx.db);
}

function register(ctx: HubContext): void {
  const { app, db, auth } = ctx;
  seedDefaults(ctx);
  app.get(`${API_PREFIX}/catalog/node-types`, { preHandler: auth.require() }, async () => ({
    nodeTypes: [...catalogOf(db).values()],
  }));
  app.get(`${API_PREFIX}/catalog/node-types/:code`, { preHandler: auth.require() }, async (request) => {
    const code = (request.params as { code: string }).code;
    const type = catalogOf(db).get(code);
    if (!type) throw notFound('nodeType', code);
    return type;
  });
  app.put(`${API_PREFIX}/catalog/node-types/:code`, { preHandler: auth.require('admin') }, async (request) => {
    const code = parse(nodeTypeCodeSchema, (request.params as { code: string }).code);
    const body = parse(nodeTypePutSchema, request.body);
    const before = catalogOf(db).get(code);
    const after = { code, ...body };
    try {
      return ctx.mutate(actorOf(request), before ? 'catalog.update' : 'catalog.create', ({ emit }) => {
        putNodeType(db, after);
        emit({ type: 'catalog.changed', data: { code } });
        return { value: after, target: `node-type:${code}`, before, after };
      });
    } finally {
      invalidateCatalog(db);
    }
  });
}

export const catalogModule: HubModule = { name: 'catalog', migrations: catalogMigrations, register };
