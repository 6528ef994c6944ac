/**
 * SIP digest authentication (RFC 2617 MD5, with and without qop=auth) as GB/T 28181
 * devices use it. Nonces are stateless: a timestamp signed with a per-process key, so
 * 20 000 devices cost no per-device state until they register.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** An auth header as the `sip` package parses it (quoted values keep their quotes). */
export type SipAuthHeader = Record<string, string | undefined> & { scheme?: string };

export const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm?: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
}

const unquote = (value: string | undefined): string | undefined =>
  value !== undefined && value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;

/** The `Authorization` header as parsed by the `sip` package, unquoted; undefined when incomplete. */
export function readCredentials(header: SipAuthHeader | undefined): DigestCredentials | undefined {
  if (!header || header.scheme?.toLowerCase() !== 'digest') return undefined;
  const get = (name: string): string | undefined => unquote(header[name]);
  const [username, realm, nonce, uri, response] = [get('username'), get('realm'), get('nonce'), get('uri'), get('response')];
  if (username === undefined || realm === undefined || !nonce || !uri || !response) return undefined;
  return { username, realm, nonce, uri, response, algorithm: get('algorithm'), qop: get('qop'), nc: get('nc'), cnonce: get('cnonce') };
}

/** What a device must prove: its password, or HA1 = MD5(username:realm:password) stored instead of it. */
export type DigestSecret = string | { ha1: string };

/** The expected `response` for these credentials and secret. */
export function digestResponse(credentials: DigestCredentials, method: string, secret: DigestSecret): string {
  const ha1 = typeof secret === 'string' ? md5(`${credentials.username}:${credentials.realm}:${secret}`) : secret.ha1;
  const ha2 = md5(`${method}:${credentials.uri}`);
  if (credentials.qop === 'auth') {
    return md5(`${ha1}:${credentials.nonce}:${credentials.nc ?? ''}:${credentials.cnonce ?? ''}:auth:${ha2}`);
  }
  return md5(`${ha1}:${credentials.nonce}:${ha2}`);
}

export function verifyDigest(credentials: DigestCredentials, method: string, secret: DigestSecret): boolean {
  if (credentials.algorithm !== undefined && credentials.algorithm.toUpperCase() !== 'MD5') return false;
  if (credentials.qop !== undefined && credentials.qop !== 'auth') return false;
  if (credentials.qop === 'auth' && (!credentials.nc || !credentials.cnonce)) return false;
  const expected = Buffer.from(digestResponse(credentials, method, secret));
  const given = Buffer.from(credentials.response.toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export type NonceCheck = 'valid' | 'stale' | 'invalid';

/** Issues and checks signed, time-limited nonces. */
export class NonceIssuer {
  private readonly key = randomBytes(16);

  constructor(private readonly lifetimeMs = 5 * 60_000) {}

  issue(now = Date.now()): string {
    const stamp = now.toString(16);
    return `${stamp}${this.sign(stamp)}`;
  }

  check(nonce: string, now = Date.now()): NonceCheck {
    if (nonce.length < 17 || nonce.length > 40) return 'invalid';
    const stamp = nonce.slice(0, -16);
    const expected = Buffer.from(this.sign(stamp));
    const given = Buffer.from(nonce.slice(-16));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    const issued = Number.parseInt(stamp, 16);
    return now - issued > this.lifetimeMs || issued > now + 1000 ? 'stale' : 'valid';
  }

  private sign(stamp: string): string {
    return createHmac('sha256', this.key).update(stamp).digest('hex').slice(0, 16);
  }
}

/** Our own WWW-Authenticate: `algorithm=MD5` stated, qop offered only when asked for. */
export function challengeHeader(realm: string, nonce: string, offerQop: boolean, stale = false): string {
  return `Digest realm="${realm}", nonce="${nonce}", algorithm=MD5${offerQop ? ', qop="auth"' : ''}${stale ? ', stale=true' : ''}`;
}
