/**
 * Authentication and authorization: password sign-in → opaque session token (stored
 * hashed); services present signed service tokens. Route guards check the role and
 * the caller's court. Failed sign-ins are rate-limited per source address.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { ErrorCode, ProtocolError, type Principal, type Role } from '@cc/protocol';
import { verifyJoinToken } from '@cc/runtime';
import type { Actor } from '../audit/audit-log.js';
import type { Migration } from '../app/module.js';
import type { Db } from '../store/database.js';
import { verifyPassword } from './password.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const authMigrations: Migration[] = [
  {
    id: 'auth-001',
    sql: `
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        source TEXT NOT NULL
      );
      CREATE INDEX sessions_person ON sessions(person_id);`,
  },
];

const SESSION_TTL_MS = 12 * 3600_000;
const FAILURE_WINDOW_MS = 5 * 60_000;
const FAILURES_ALLOWED = 5;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

interface PersonRow {
  id: string;
  username: string;
  name: string;
  role: Role;
  court_code: string | null;
  password_hash: string;
  active: number;
}

export class Auth {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** Checks a password; returns a fresh session. Throws unauthenticated / rate_limited. */
  login(username: string, password: string, source: string): { token: string; expiresAt: string; user: Principal } {
    const recent = (this.failures.get(source) ?? []).filter((t) => t > this.now() - FAILURE_WINDOW_MS);
    if (recent.length >= FAILURES_ALLOWED)
      throw new ProtocolError(ErrorCode.RateLimited, { retryAfterS: Math.ceil(FAILURE_WINDOW_MS / 1000) });
    const person = this.db.prepare('SELECT * FROM people WHERE username = ?').get(username) as PersonRow | undefined;
    // Hash even for unknown users so timing does not reveal which usernames exist.
    const ok = verifyPassword(
      password,
      person?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    );
    if (!person || !ok || !person.active) {
      recent.push(this.now());
      this.failures.set(source, recent);
      throw new ProtocolError(ErrorCode.Unauthenticated, { reason: 'wrong username or password' });
    }
    this.failures.delete(source);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.now() + SESSION_TTL_MS).toISOString();
    this.db
      .prepare('INSERT INTO sessions (token_hash, person_id, created_at, expires_at, source) VALUES (?, ?, ?, ?, ?)')
      .run(sha256(token), person.id, new Date(this.now()).toISOString(), expiresAt, source);
    return { token, expiresAt, user: toPrincipal(person) };
  }

  logout(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token));
  }

  /** Resolves a bearer token (session or service token) to a principal. */
  resolve(header: string | undefined): Principal {
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw new ProtocolError(ErrorCode.Unauthenticated);
    if (token.includes('.')) {
      const claims = verifyJoinToken(this.key, token);
      if (claims.role !== 'service') throw new ProtocolError(ErrorCode.Forbidden);
      return { id: `service:${claims.sub}`, username: claims.sub, name: claims.name, role: 'service', court: null };
    }
    const row = this.db
      .prepare('SELECT p.*, s.expires_at FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.token_hash = ?')
      .get(sha256(token)) as (PersonRow & { expires_at: string }) | undefined;
    if (!row || !row.active) throw new ProtocolError(ErrorCode.Unauthenticated);
    if (Date.parse(row.expires_at) <= this.now()) throw new ProtocolError(ErrorCode.TokenExpired);
    return toPrincipal(row);
  }

  /**
   * Route guard: the caller must be signed in and have one of `roles` (admin always
   * may; an empty list means any signed-in user; services pass when 'service' is listed).
   */
  require(...roles: Role[]): preHandlerAsyncHookHandler {
    return async (request: FastifyRequest, _reply: FastifyReply) => {
      const principal = this.resolve(request.headers.authorization);
      if (roles.length > 0 && principal.role !== 'admin' && !roles.includes(principal.role)) {
        throw new ProtocolError(ErrorCode.Forbidden, { need: roles });
      }
      request.principal = principal;
    };
  }
}

/** Route guard for machine endpoints: only service tokens pass (not even an admin's session). */
export function requireService(auth: Auth): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const principal = auth.resolve(request.headers.authorization);
    if (principal.role !== 'service') throw new ProtocolError(ErrorCode.Forbidden, { need: ['service'] });
    request.principal = principal;
  };
}

function toPrincipal(row: PersonRow): Principal {
  return { id: row.id, username: row.username, name: row.name, role: row.role, court: row.court_code };
}

/** The principal of a guarded route (the guard has run). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ProtocolError(ErrorCode.Unauthenticated);
  return request.principal;
}

export function actorOf(request: FastifyRequest): Actor {
  const p = principalOf(request);
  return { id: p.id, name: p.name, role: p.role, court: p.court ?? undefined, source: request.ip };
}

/** Court users and viewers bound to a court see only that court; everyone else sees all. */
export function courtScope(principal: Principal): string | null {
  return principal.role === 'court_user' && principal.court ? principal.court : null;
}

/** Throws forbidden when the principal may not act on `court`. */
export function assertCourtAccess(principal: Principal, court: string | null | undefined): void {
  const scope = courtScope(principal);
  if (scope && court !== scope) throw new ProtocolError(ErrorCode.Forbidden, { court });
}
