/** The GB/T 28181 side of the bridge, put together: SIP stack, registrar, device registry, MESSAGE handling, commander. */
import type { Logger } from '@cc/runtime';
import { makeEvent, type EventSink } from '../hub/events.js';
import { createSipServer, type SipMessage, type SipRemote, type SipServer } from '../sip/stack.js';
import { CatalogAssembler } from './catalog-assembler.js';
import { GbCommander } from './commander.js';
import { CredentialStore, readDevicesFile } from './credentials.js';
import { createMessageHandler, type MessageStats } from './message-handler.js';
import { ProvisionedFile } from './provisioned-file.js';
import { FailureRateLimiter } from './rate-limit.js';
import { createRegistrar } from './registrar.js';
import { DeviceRegistry } from './registry.js';
import { InviteClient } from './invite.js';
import { RecordQueries } from './records.js';
import { Subscriptions } from './subscriptions.js';

export interface GbSettings {
  sipId: string;
  sipDomain: string;
  sipHost: string;
  sipPort: number;
  sipPublicHost: string;
  devicesFile: string;
  sharedPassword: string;
  digestQop: boolean;
  keepaliveIntervalS: number;
  keepaliveMaxMissed: number;
  maxExpiresS: number;
  authMaxFailures: number;
  authWindowS: number;
  authLockoutS: number;
  queryOnRegister: boolean;
  mobilePositionIntervalS: number;
  /** SUBSCRIBE to each new device's Catalog changes. */
  catalogSubscription: boolean;
  /** Expires asked for in Catalog/MobilePosition SUBSCRIBEs, s (refreshed at two thirds). */
  subscriptionExpiresS: number;
  /** Where devices provisioned through the control API are kept (absent: memory only). */
  dataDir?: string;
  maxSipBodyBytes: number;
}

/** Intercom calls (device-bridge/src/intercom/) plug their SIP dialogs in here. */
export interface CallSipHooks {
  invite?: (request: SipMessage, remote: SipRemote) => void;
  cancel?: (request: SipMessage) => void;
  /** True when the BYE belonged to one of its calls. */
  bye?: (request: SipMessage) => boolean;
  ack?: (request: SipMessage) => void;
  /** True when the INFO (e.g. DTMF) belonged to one of its calls; otherwise media sessions answer it. */
  info?: (request: SipMessage) => boolean;
}

export interface GbServer {
  sip: SipServer;
  callHooks: CallSipHooks;
  registry: DeviceRegistry;
  credentials: CredentialStore;
  commander: GbCommander;
  invites: InviteClient;
  records: RecordQueries;
  subscriptions: Subscriptions;
  stats: MessageStats;
  close(): void;
}

export async function createGbServer(settings: GbSettings, sink: EventSink, logger: Logger): Promise<GbServer> {
  const log = logger.child({ module: 'gb28181' });
  const credentials = new CredentialStore(
    settings.devicesFile ? readDevicesFile(settings.devicesFile) : [],
    settings.sharedPassword || undefined,
    settings.dataDir ? { file: new ProvisionedFile(settings.dataDir, settings.sipDomain, log), realm: settings.sipDomain } : undefined,
  );
  const registry = new DeviceRegistry({
    keepaliveIntervalS: settings.keepaliveIntervalS,
    keepaliveMaxMissed: settings.keepaliveMaxMissed,
    sink,
    logger: log,
  });
  const limiter = new FailureRateLimiter({
    maxFailures: settings.authMaxFailures,
    windowMs: settings.authWindowS * 1000,
    lockoutMs: settings.authLockoutS * 1000,
  });
  const catalogs = new CatalogAssembler();
  const handlers: Parameters<typeof createSipServer>[1] = {};
  const sip = await createSipServer(
    {
      host: settings.sipHost,
      port: settings.sipPort,
      publicHost: settings.sipPublicHost || settings.sipHost,
      maxBodyBytes: settings.maxSipBodyBytes,
      logger: log,
    },
    handlers,
  );
  const commander = new GbCommander(sip, registry, settings.sipId, settings.sipDomain, log);
  const subscriptions = new Subscriptions({
    sip,
    commander,
    registry,
    sipId: settings.sipId,
    sipDomain: settings.sipDomain,
    expiresS: settings.subscriptionExpiresS,
    positionIntervalS: settings.mobilePositionIntervalS,
    logger: log,
  });
  const queryNew = (deviceId: string, kind: string): void => {
    if (!settings.queryOnRegister || kind !== 'gb28181') return;
    commander.query(deviceId, 'DeviceInfo');
    commander.query(deviceId, 'Catalog');
    if (settings.catalogSubscription) subscriptions.subscribe(deviceId, 'Catalog');
    if (settings.mobilePositionIntervalS > 0) subscriptions.subscribe(deviceId, 'MobilePosition');
  };
  handlers.REGISTER = createRegistrar({
    sipId: settings.sipId,
    realm: settings.sipDomain,
    offerQop: settings.digestQop,
    maxExpiresS: settings.maxExpiresS,
    sip,
    credentials,
    limiter,
    registry,
    logger: log,
    onRegistered: queryNew,
    onUnregistering: (deviceId) => subscriptions.unsubscribe(deviceId),
  });
  const records = new RecordQueries(commander);
  const messages = createMessageHandler({
    sip,
    registry,
    sink,
    catalogs,
    commander,
    logger: log,
    onRecordInfo: (_deviceId, message) => records.onAnswer(message),
  });
  handlers.NOTIFY = (request, remote) =>
    subscriptions.onNotify(request) ? messages.handle(request, remote) : sip.reply(request, 481, 'Subscription Does Not Exist');
  handlers.OPTIONS = (request) => sip.reply(request, 200, 'OK');
  const invites = new InviteClient(sip, registry, settings.sipId, settings.sipDomain, log);
  // In-dialog MESSAGEs (MediaStatus) are matched by Call-ID: some devices put another ID in From.
  handlers.MESSAGE = (request, remote) =>
    invites.has(String(request.headers['call-id'])) ? invites.handleDialogMessage(request) : messages.handle(request, remote);
  const callHooks: CallSipHooks = {};
  handlers.INFO = (request) => {
    if (!callHooks.info?.(request)) invites.handleInfo(request);
  };
  handlers.INVITE = (request, remote) => (callHooks.invite ? callHooks.invite(request, remote) : sip.reply(request, 603, 'Decline'));
  handlers.CANCEL = (request) =>
    callHooks.cancel ? callHooks.cancel(request) : sip.reply(request, 481, 'Call/Transaction Does Not Exist');
  handlers.BYE = (request) => {
    if (!callHooks.bye?.(request)) invites.handleBye(request);
  };
  handlers.ACK = (request) => callHooks.ack?.(request);
  const catalogTimer = setInterval(() => {
    for (const catalog of catalogs.expire()) sink.publish(makeEvent('device.catalog', { ...catalog, complete: false }));
  }, 2000);
  log.info(
    { sipId: settings.sipId, host: settings.sipHost, port: settings.sipPort, provisioned: credentials.all().length },
    'GB/T 28181 SIP server listening (UDP+TCP)',
  );
  return {
    sip,
    callHooks,
    registry,
    credentials,
    commander,
    invites,
    records,
    subscriptions,
    stats: messages.stats,
    close: () => {
      clearInterval(catalogTimer);
      subscriptions.close();
      records.close();
      registry.close();
      sip.close();
    },
  };
}
