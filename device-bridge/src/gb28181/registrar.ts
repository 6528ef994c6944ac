/**
 * REGISTER handling for GB/T 28181 devices and intercoms: digest challenge with our own
 * WWW-Authenticate (`algorithm=MD5`, qop only if configured), verification with and
 * without qop, unknown devices refused (403), failures rate-limited per source address,
 * unregister (Expires: 0), and the GB `Date` header for time sync in the 200.
 */
import { bridgeDeviceIdSchema } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { SipMessage, SipRemote } from 'sip';
import { localTime } from '../manscdp/messages.js';
import { NonceIssuer, challengeHeader, readCredentials, verifyDigest } from '../sip/digest.js';
import { userOf, type SipServer } from '../sip/stack.js';
import type { CredentialStore } from './credentials.js';
import type { FailureRateLimiter } from './rate-limit.js';
import type { DeviceRegistry } from './registry.js';

export interface RegistrarOptions {
  sipId: string;
  realm: string;
  offerQop: boolean;
  /** Longest registration granted, s. */
  maxExpiresS: number;
  sip: SipServer;
  credentials: CredentialStore;
  limiter: FailureRateLimiter;
  registry: DeviceRegistry;
  logger: Logger;
  /** Called after a (new) successful registration, e.g. to query DeviceInfo and Catalog. */
  onRegistered?: (deviceId: string, kind: 'gb28181' | 'intercom') => void;
  /** Called on Expires: 0 while the device still counts as registered (to cancel its subscriptions). */
  onUnregistering?: (deviceId: string) => void;
}

function requestedExpires(request: SipMessage): number | undefined {
  const header = request.headers.expires;
  const contact = Array.isArray(request.headers.contact) ? request.headers.contact[0] : undefined;
  const raw = header ?? contact?.params.expires ?? undefined;
  if (raw === undefined || raw === null) return undefined;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

export function createRegistrar(options: RegistrarOptions): (request: SipMessage, remote: SipRemote) => void {
  const nonces = new NonceIssuer();
  const { sip, logger } = options;

  const challenge = (request: SipMessage, stale: boolean): void =>
    sip.reply(request, 401, 'Unauthorized', {
      headers: { 'WWW-Authenticate': challengeHeader(options.realm, nonces.issue(), options.offerQop, stale) },
    });

  const refuse = (request: SipMessage, remote: SipRemote, reason: string, deviceId: string | undefined): void => {
    const locked = options.limiter.fail(remote.address);
    logger.warn({ deviceId, from: `${remote.address}:${remote.port}`, reason, locked }, 'REGISTER refused');
    sip.reply(request, 403, 'Forbidden');
  };

  return (request, remote) => {
    const deviceId = userOf(request.headers.from);
    if (options.limiter.isLocked(remote.address)) return sip.reply(request, 403, 'Forbidden');
    if (!deviceId || !bridgeDeviceIdSchema.safeParse(deviceId).success) return refuse(request, remote, 'bad device id', deviceId);
    const target = typeof request.uri === 'string' ? userOf({ uri: request.uri }) : request.uri?.user;
    if (target !== undefined && target !== options.sipId && target !== options.realm)
      return refuse(request, remote, 'wrong server id', deviceId);
    const account = options.credentials.passwordOf(deviceId);
    if (!account) return refuse(request, remote, 'unknown device', deviceId);
    const expires = requestedExpires(request);
    if (expires === undefined) return sip.reply(request, 400, 'Missing Expires');

    const credentials = readCredentials(request.headers.authorization?.[0]);
    if (!credentials) return challenge(request, false);
    const nonce = nonces.check(credentials.nonce);
    if (nonce !== 'valid') return nonce === 'stale' ? challenge(request, true) : refuse(request, remote, 'foreign nonce', deviceId);
    if (credentials.realm !== options.realm || !verifyDigest(credentials, 'REGISTER', account.secret)) {
      return refuse(request, remote, 'wrong password', deviceId);
    }
    options.limiter.succeed(remote.address);

    if (expires === 0) {
      options.onUnregistering?.(deviceId);
      options.registry.unregister(deviceId);
      logger.info({ deviceId }, 'device unregistered');
      return sip.reply(request, 200, 'OK', { headers: { expires: '0', date: localTime(new Date(), true) } });
    }
    const granted = Math.min(expires, options.maxExpiresS);
    const wasOnline = options.registry.get(deviceId)?.online === true;
    options.registry.register({
      deviceId,
      kind: account.kind,
      transport: remote.protocol.toUpperCase() === 'TCP' ? 'tcp' : 'udp',
      address: remote.address,
      port: remote.port,
      callId: String(request.headers['call-id'] ?? ''),
      expiresS: granted,
      userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'].slice(0, 256) : undefined,
    });
    sip.reply(request, 200, 'OK', {
      headers: { contact: request.headers.contact, expires: String(granted), date: localTime(new Date(), true) },
    });
    if (!wasOnline) options.onRegistered?.(deviceId, account.kind);
  };
}
