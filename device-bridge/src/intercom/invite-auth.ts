/**
 * Digest authentication of an intercom's INVITE (RFC 3261 22, as PBXs do): the first INVITE
 * gets 401 with our challenge (`algorithm=MD5`, realm = the SIP domain), the retry must carry
 * the intercom's own credentials. Wrong credentials or a nonce we did not issue → 403.
 */
import type { CredentialStore } from '../gb28181/credentials.js';
import { NonceIssuer, challengeHeader, readCredentials, verifyDigest } from '../sip/digest.js';
import type { SipMessage } from '../sip/stack.js';

export type InviteAuthResult =
  { ok: true } | { ok: false; status: 401; reason: string; headers: Record<string, string> } | { ok: false; status: 403; reason: string };

export class InviteAuth {
  private readonly nonces = new NonceIssuer();

  constructor(
    private readonly realm: string,
    private readonly credentials: CredentialStore,
  ) {}

  private challenge(stale: boolean): InviteAuthResult {
    const header = challengeHeader(this.realm, this.nonces.issue(), false, stale);
    return { ok: false, status: 401, reason: 'Unauthorized', headers: { 'WWW-Authenticate': header } };
  }

  check(request: SipMessage, deviceId: string): InviteAuthResult {
    const account = this.credentials.passwordOf(deviceId);
    if (!account) return { ok: false, status: 403, reason: 'Forbidden' };
    const given = readCredentials(request.headers.authorization?.[0]);
    if (!given) return this.challenge(false);
    const nonce = this.nonces.check(given.nonce);
    if (nonce === 'stale') return this.challenge(true);
    if (nonce === 'invalid' || given.realm !== this.realm || given.username !== deviceId || !verifyDigest(given, 'INVITE', account.secret))
      return { ok: false, status: 403, reason: 'Forbidden' };
    return { ok: true };
  }
}
