/**
 * Fuzzing the playback and subscription paths in-process (the SIP transport is a
 * recording fake, everything behind it is real): 100 000 mutated MANSRTSP bodies
 * through the parser, and 100 000 mutated in-dialog INFO, MediaStatus MESSAGE and
 * Catalog/MobilePosition NOTIFY requests through the `sip` parser, the invite client,
 * the subscriptions and the MESSAGE handler. Nothing may throw, answers are only the
 * expected SIP statuses, refused requests reach neither the hub nor the dialog's owner.
 */
import { describe, expect, it } from 'vitest';
import { bridgeEventSchema, type BridgeEvent } from '@cc/protocol';
import { createLogger } from '@cc/runtime';
import { CatalogAssembler } from '../gb28181/catalog-assembler.js';
import { GbCommander } from '../gb28181/commander.js';
import { InviteClient } from '../gb28181/invite.js';
import { MansrtspError, mansrtspFor, parseMansrtsp } from '../gb28181/mansrtsp.js';
import { createMessageHandler } from '../gb28181/message-handler.js';
import { DeviceRegistry } from '../gb28181/registry.js';
import { Subscriptions } from '../gb28181/subscriptions.js';
import type { EventSink } from '../hub/events.js';
import { sip, type SipMessage, type SipRemote, type SipServer } from '../sip/stack.js';
import { mutate, prng } from './mutate.js';

const DEVICE = '34020000001320000001';
const SERVER = '34020000002000000001';
const DOMAIN = '3402000000';
const remote: SipRemote = { protocol: 'UDP', address: '127.0.0.9', port: 5070 };

const MANSRTSP_SEEDS = [
  mansrtspFor({ action: 'pause' }, 3),
  mansrtspFor({ action: 'resume' }, 4),
  mansrtspFor({ action: 'seek', offsetS: 120 }, 5),
  mansrtspFor({ action: 'speed', scale: 0.25 }, 6),
  'PLAY MANSRTSP/1.0\nCSeq: 7\nRange: npt=12.5-30\nScale: 4.0\n\n',
  'TEARDOWN RTSP/1.0\r\nCSeq: 8\r\n\r\n',
];

describe('fuzzing MANSRTSP and in-dialog NOTIFY/INFO/MESSAGE (in-process, recording fake SIP transport)', () => {
  it('parses 100 000 mutated MANSRTSP bodies: only MansrtspError, and what parses is in range', () => {
    const random = prng(121);
    let ok = 0;
    const invalid: unknown[] = [];
    for (let i = 0; i < 100_000; i++) {
      const text = mutate(MANSRTSP_SEEDS[i % MANSRTSP_SEEDS.length]!, random);
      try {
        const request = parseMansrtsp(text);
        ok += 1;
        if (request.scale !== undefined && !(request.scale >= 0.25 && request.scale <= 4)) invalid.push(text);
      } catch (error) {
        if (!(error instanceof MansrtspError)) invalid.push({ text, error: String(error) });
      }
    }
    expect(invalid.slice(0, 3)).toEqual([]);
    expect(ok).toBeGreaterThan(5_000);
  }, 60_000);

  it('survives 100 000 mutated INFO, MediaStatus and NOTIFY requests: no throw, refusals change nothing', async () => {
    const h = await harness();
    const random = prng(20261122);
    const allowed = new Set([200, 400, 403, 415, 481]);
    const invalid: unknown[] = [];
    let parsed = 0;
    let accepted = 0;
    for (let i = 0; i < 100_000; i++) {
      const message: SipMessage | undefined = sip.parse(Buffer.from(mutate(h.seeds[i % h.seeds.length]!, random), 'latin1'));
      if (!message?.method || !message.headers.cseq || !message.headers.via) continue;
      parsed += 1;
      const ends = h.mediaEnds;
      h.handle(message);
      const status = h.replies.at(-1);
      if (status !== undefined && !allowed.has(status)) invalid.push({ status, method: message.method });
      if (status === 200) accepted += 1;
      if (status !== undefined && status >= 300 && (h.published.length > 0 || h.mediaEnds !== ends)) invalid.push({ status, message });
      for (const event of h.published) if (!bridgeEventSchema.safeParse(event).success) invalid.push({ event });
      h.published.length = 0;
      h.replies.length = 0;
    }
    h.close();
    expect(invalid.slice(0, 3)).toEqual([]);
    expect(parsed).toBeGreaterThan(50_000);
    expect(accepted).toBeGreaterThan(5_000);
  }, 120_000);
});

async function harness() {
  const logger = createLogger('fuzz', 'silent');
  const published: BridgeEvent[] = [];
  const sink: EventSink = {
    publish: (e) => published.push(e),
    position: (p) =>
      published.push({ type: 'positions', eventId: '00000000-0000-4000-8000-000000000000', at: new Date().toISOString(), positions: [p] }),
  };
  const replies: number[] = [];
  const sent: SipMessage[] = [];
  const server: SipServer = {
    reply: (_request, status) => replies.push(status),
    // The device answers every request 200 (the INVITE with an SDP), as a well-behaved one would.
    request: (message, onResponse) => {
      sent.push(message);
      const to = { ...message.headers.to!, params: { tag: 'dev1' } };
      const content = message.method === 'INVITE' ? 'v=0\r\nc=IN IP4 127.0.0.9\r\nm=video 15060 RTP/AVP 96\r\ny=0200000001\r\n' : '';
      onResponse?.({
        status: 200,
        reason: 'OK',
        headers: { ...message.headers, to, contact: [{ uri: 'sip:d@127.0.0.9:5070', params: {} }] },
        content,
      });
    },
    contactHost: '127.0.0.1',
    port: 5060,
    close: () => undefined,
  };
  const registry = new DeviceRegistry({ keepaliveIntervalS: 60, keepaliveMaxMissed: 3, sink, logger, sweepMs: 3_600_000 });
  registry.register({
    deviceId: DEVICE,
    kind: 'gb28181',
    transport: 'udp',
    address: '127.0.0.9',
    port: 5070,
    callId: 'r',
    expiresS: 86_400,
  });
  published.length = 0;
  const commander = new GbCommander(server, registry, SERVER, DOMAIN, logger);
  const subscriptions = new Subscriptions({
    sip: server,
    commander,
    registry,
    sipId: SERVER,
    sipDomain: DOMAIN,
    expiresS: 3600,
    positionIntervalS: 5,
    logger,
    sweepMs: 3_600_000,
  });
  subscriptions.subscribe(DEVICE, 'Catalog');
  subscriptions.subscribe(DEVICE, 'MobilePosition');
  const invites = new InviteClient(server, registry, SERVER, DOMAIN, logger);
  const dialog = await invites.invite(DEVICE, {
    host: '127.0.0.1',
    port: 30000,
    ssrc: '1200000001',
    mode: 'playback',
    transport: 'udp',
    channelId: DEVICE,
  });
  const state = { mediaEnds: 0 };
  dialog.onMediaEnd = () => (state.mediaEnds += 1);
  const messages = createMessageHandler({ sip: server, registry, sink, catalogs: new CatalogAssembler(), commander, logger });
  const [catalogCall, positionCall] = sent.filter((m) => m.method === 'SUBSCRIBE').map((m) => String(m.headers['call-id']));
  const request = (method: string, callId: string, headers: string[], body: string): string =>
    [
      `${method} sip:${SERVER}@${DOMAIN} SIP/2.0`,
      'Via: SIP/2.0/UDP 127.0.0.9:5070;rport;branch=z9hG4bK776asdhds',
      `From: <sip:${DEVICE}@${DOMAIN}>;tag=dev1`,
      `To: <sip:${SERVER}@${DOMAIN}>;tag=abc`,
      `Call-ID: ${callId}`,
      `CSeq: 2 ${method}`,
      'Max-Forwards: 70',
      ...headers,
      `Content-Length: ${body.length}`,
      '',
      body,
    ].join('\r\n');
  const xml = (cmd: string, extra: string): string =>
    `<?xml version="1.0" encoding="GB2312"?>\n<Notify>\n<CmdType>${cmd}</CmdType>\n<SN>9</SN>\n<DeviceID>${DEVICE}</DeviceID>\n${extra}</Notify>\n`;
  const item = (id: string, event: string): string =>
    `<Item><DeviceID>${id}</DeviceID><Event>${event}</Event><Name>\xd0\xc2</Name><ParentID>${DEVICE}</ParentID><Status>ON</Status></Item>`;
  const manscdp = ['Content-Type: Application/MANSCDP+xml'];
  const seeds = [
    request(
      'NOTIFY',
      catalogCall!,
      ['Event: Catalog', 'Subscription-State: active', ...manscdp],
      xml('Catalog', `<SumNum>2</SumNum><DeviceList Num="2">${item('34020000001310000002', 'ADD')}${item(DEVICE, 'OFF')}</DeviceList>`),
    ),
    request(
      'NOTIFY',
      catalogCall!,
      ['Event: Catalog', ...manscdp],
      xml('Catalog', `<SumNum>1</SumNum><DeviceList Num="1">${item('34020000001310000002', 'UPDATE')}</DeviceList>`),
    ),
    request(
      'NOTIFY',
      positionCall!,
      ['Event: presence', ...manscdp],
      xml('MobilePosition', '<Longitude>116.3</Longitude><Latitude>39.9</Latitude>'),
    ),
    request('MESSAGE', dialog.callId, manscdp, xml('MediaStatus', '<NotifyType>121</NotifyType>')),
    ...MANSRTSP_SEEDS.slice(0, 3).map((body) => request('INFO', dialog.callId, ['Content-Type: Application/MANSRTSP'], body)),
  ];
  const handle = (message: SipMessage): void => {
    const callId = String(message.headers['call-id']);
    if (message.method === 'INFO') return invites.handleInfo(message);
    if (message.method === 'MESSAGE') return invites.has(callId) ? invites.handleDialogMessage(message) : messages.handle(message, remote);
    if (message.method === 'NOTIFY') return subscriptions.onNotify(message) ? messages.handle(message, remote) : void replies.push(481);
  };
  return {
    seeds,
    published,
    replies,
    handle,
    get mediaEnds() {
      return state.mediaEnds;
    },
    close: () => {
      subscriptions.close();
      registry.close();
    },
  };
}
