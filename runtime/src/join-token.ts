/** Signs and verifies join tokens (see @cc/protocol join-token) with a key kept in the data directory. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCode, ProtocolError, joinTokenClaimsSchema, type JoinTokenClaims } from '@cc/protocol';

/**
 * Reads `<dataDir>/secrets/join-token.key`, creating it once. Services start together,
 * so the key is written to a private temp file and hard-linked into place: a reader
 * never sees a half-written file, and whoever links first wins.
 */
export function loadJoinTokenKey(dataDir: string): Buffer {
  const path = join(dataDir, 'secrets', 'join-token.key');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) {
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(temp, randomBytes(32).toString('hex'), { mode: 0o600 });
    try {
      linkSync(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
  }
  const hex = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`join token key ${path} is malformed`);
  return Buffer.from(hex, 'hex');
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

export function signJoinToken(key: Buffer, claims: JoinTokenClaims): string {
  const body = Buffer.from(JSON.stringify(joinTokenClaimsSchema.parse(claims))).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

export function verifyJoinToken(key: Buffer, token: string, nowS = Math.floor(Date.now() / 1000)): JoinTokenClaims {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) throw new ProtocolError(ErrorCode.InvalidToken);
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ProtocolError(ErrorCode.InvalidToken);
  }
  let claims: JoinTokenClaims;
  try {
    claims = joinTokenClaimsSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch (cause) {
    throw new ProtocolError(ErrorCode.InvalidToken, undefined, { cause });
  }
  if (claims.exp <= nowS) throw new ProtocolError(ErrorCode.TokenExpired);
  return claims;
}

/**
 * Service-to-service calls (bridge → hub, SFU → hub, bridge → SFU) carry
 * `Authorization: Bearer <token>` with a short-lived token of role `service`, signed
 * with the same data-directory key.
 */
export function serviceAuthorization(key: Buffer, service: string, ttlS = 300): string {
  const token = signJoinToken(key, { room: '*', sub: service, name: service, role: 'service', exp: Math.floor(Date.now() / 1000) + ttlS });
  return `Bearer ${token}`;
}

/** Verifies a service's Authorization header; returns the calling service's name. */
export function verifyServiceAuthorization(key: Buffer, header: string | undefined): string {
  const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
  if (!token) throw new ProtocolError(ErrorCode.Unauthenticated);
  const claims = verifyJoinToken(key, token);
  if (claims.role !== 'service') throw new ProtocolError(ErrorCode.Forbidden);
  return claims.sub;
}
