/** `/api/v1/auth/*`: sign in/out, who am I, join tokens for the SFU. */
import { API_PREFIX, joinTokenRequestSchema, loginRequestSchema } from '@cc/protocol';
import { signJoinToken } from '@cc/runtime';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { parse } from '../app/parse.js';
import { actorOf, principalOf } from './auth.js';

const JOIN_TOKEN_TTL_S = 10 * 60;

export function registerAuthRoutes(ctx: HubContext, joinKey: Buffer): void {
  const { app, auth, audit, db } = ctx;

  app.post(`${API_PREFIX}/auth/login`, async (request) => {
    const { username, password } = parse(loginRequestSchema, request.body);
    try {
      const session = auth.login(username, password, request.ip);
      db.transaction(() =>
        audit.append({
          actor: {
            id: session.user.id,
            name: session.user.name,
            role: session.user.role,
            court: session.user.court ?? undefined,
            source: request.ip,
          },
          action: 'auth.login',
          target: `person:${session.user.id}`,
        }),
      )();
      return session;
    } catch (error) {
      // Failed sign-ins are part of the trace too (who tried, from where).
      db.transaction(() =>
        audit.append({ actor: { ...SYSTEM_ACTOR, source: request.ip }, action: 'auth.login_failed', target: `username:${username}` }),
      )();
      throw error;
    }
  });

  app.post(`${API_PREFIX}/auth/logout`, { preHandler: auth.require() }, async (request) => {
    const token = request.headers.authorization?.slice(7) ?? '';
    auth.logout(token);
    db.transaction(() => audit.append({ actor: actorOf(request), action: 'auth.logout', target: `person:${principalOf(request).id}` }))();
    return {};
  });

  app.get(`${API_PREFIX}/auth/me`, { preHandler: auth.require() }, async (request) => principalOf(request));

  app.post(`${API_PREFIX}/auth/join-token`, { preHandler: auth.require() }, async (request) => {
    const { room } = parse(joinTokenRequestSchema, request.body);
    const p = principalOf(request);
    const exp = Math.floor(ctx.now() / 1000) + JOIN_TOKEN_TTL_S;
    const token = signJoinToken(joinKey, { room, sub: p.id, name: p.name, role: p.role, ...(p.court ? { court: p.court } : {}), exp });
    db.transaction(() => audit.append({ actor: actorOf(request), action: 'auth.join_token', target: `room:${room}` }))();
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  });
}
