/**
 * Fuzzing the SIP + MANSCDP path in-process (no sockets: the SIP server is a recording
 * fake, everything behind it is real): 120 000 mutated REGISTER and MESSAGE requests go
 * through the `sip` parser, the registrar and the MESSAGE handler. Nothing may throw,
 * a refused request may not change state or reach the hub, whatever reaches the hub
 * must satisfy the protocol schema, and the heap must not grow.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bridgeEventSchema, type BridgeEvent } from '@cc/protocol';
import { createLogger } from '@cc/runtime';
import { CatalogAssembler } from '../gb28181/catalog-assembler.js';
import { GbCommander } from '../gb28181/commander.js';
import { CredentialStore } from '../gb28181/credentials.js';
import { createMessageHandler } from '../gb28181/message-handler.js';
import { FailureRateLimiter } from '../gb28181/rate-limit.js';
import { createRegistrar } from '../gb28181/registrar.js';
import { DeviceRegistry } from '../gb28181/registry.js';
import type { EventSink } from '../hub/events.js';
import { md5 } from '../sip/digest.js';
import { sip, type SipMessage, type SipRemote, type SipServer } from '../sip/stack.js';
import { mutate, prng } from './mutate.js';

const DEVICE = '34020000001320000001';
const SERVER = '34020000002000000001';
const DOMAIN = '3402000000';

function harness() {
  const logger = createLogger('fuzz', 'silent');
  const published: BridgeEvent[] = [];
  const sink: EventSink = {
    publish: (e) => published.push(e),
    position: (p) =>
      published.push({ type: 'positions', eventId: '00000000-0000-4000-8000-000000000000', at: new Date().toISOString(), positions: [p] }),
  };
  const replies: { status: number; headers: Record<string, unknown> }[] = [];
  const server: SipServer = {
    reply: (_request, status, _reason, extra) => replies.push({ status, headers: (extra?.headers ?? {}) as Record<string, unknown> }),
    request: () => undefined,
    contactHost: '127.0.0.1',
    port: 5060,
    close: () => undefined,
  };
  const registry = new DeviceRegistry({ keepaliveIntervalS: 60, keepaliveMaxMissed: 3, sink, logger, sweepMs: 3_600_000 });
  const credentials = new CredentialStore([{ deviceId: DEVICE, kind: 'gb28181', password: 'pw' }], undefined);
  const commander = new GbCommander(server, registry, SERVER, DOMAIN, logger);
  const registrar = createRegistrar({
    sipId: SERVER,
    realm: DOMAIN,
    offerQop: false,
    maxExpiresS: 3600,
    sip: server,
    credentials,
    limiter: new FailureRateLimiter({ maxFailures: 1_000_000, windowMs: 1000, lockoutMs: 1 }),
    registry,
    logger,
  });
  const messages = createMessageHandler({ sip: server, registry, sink, catalogs: new CatalogAssembler(), commander, logger });
  return { published, replies, registry, registrar, messages, close: () => registry.close() };
}

const remote: SipRemote = { protocol: 'UDP', address: '127.0.0.9', port: 5070 };

function sipText(method: string, headers: string[], body = ''): string {
  return [
    `${method} sip:${SERVER}@${DOMAIN} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.9:5070;rport;branch=z9hG4bK776asdhds',
    `From: <sip:${DEVICE}@${DOMAIN}>;tag=1928301774`,
    `To: <sip:${method === 'REGISTER' ? DEVICE : SERVER}@${DOMAIN}>`,
    'Call-ID: a84b4c76e66710',
    `CSeq: 1 ${method}`,
    'Max-Forwards: 70',
    ...headers,
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

const MANSCDP = [
  `<?xml version="1.0" encoding="GB2312"?>\n<Notify>\n<CmdType>Keepalive</CmdType>\n<SN>42</SN>\n<DeviceID>${DEVICE}</DeviceID>\n<Status>OK</Status>\n</Notify>\n`,
  `<?xml version="1.0"?><Notify><CmdType>Alarm</CmdType><SN>2</SN><DeviceID>${DEVICE}</DeviceID><AlarmPriority>1</AlarmPriority><AlarmMethod>2</AlarmMethod><AlarmTime>2023-10-20T09:19:12</AlarmTime><AlarmDescription>SOS</AlarmDescription><Longitude>116.39</Longitude><Latitude>39.91</Latitude><Info><AlarmType>2</AlarmType></Info></Notify>`,
  `<?xml version="1.0"?><Notify><CmdType>MobilePosition</CmdType><SN>7</SN><DeviceID>${DEVICE}</DeviceID><Time>2026-11-21T20:48:31</Time><Longitude>116.1</Longitude><Latitude>39.9</Latitude><Speed>36.0</Speed><Direction>90</Direction><Altitude>45</Altitude></Notify>`,
  `<?xml version="1.0"?><Response><CmdType>Catalog</CmdType><SN>17</SN><DeviceID>${DEVICE}</DeviceID><SumNum>2</SumNum><DeviceList Num="2"><Item><DeviceID>34020000001310000001</DeviceID><Name>\xd6\xb4\xb7\xa8</Name><ParentID>${DEVICE}</ParentID><Status>ON</Status><Longitude>116.3</Longitude><Latitude>39.9</Latitude><Info><PTZType>1</PTZType></Info></Item><Item><DeviceID>34020000001310000002</DeviceID><Name>b</Name><Event>ADD</Event></Item></DeviceList></Response>`,
  `<?xml version="1.0"?><Response><CmdType>DeviceInfo</CmdType><SN>3</SN><DeviceID>${DEVICE}</DeviceID><DeviceName>cam</DeviceName><Channel>1</Channel></Response>`,
  `<?xml version="1.0"?><Response><CmdType>DeviceStatus</CmdType><SN>4</SN><DeviceID>${DEVICE}</DeviceID><Online>ONLINE</Online><Status>OK</Status><Encode>ON</Encode></Response>`,
  `<?xml version="1.0"?><Response><CmdType>RecordInfo</CmdType><SN>5</SN><DeviceID>${DEVICE}</DeviceID><SumNum>1</SumNum><RecordList Num="1"><Item><DeviceID>${DEVICE}</DeviceID><StartTime>2026-11-21T14:15:52</StartTime><EndTime>2026-11-21T14:31:28</EndTime><FileSize>19396096</FileSize></Item></RecordList></Response>`,
];

const heapMb = (): number => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

describe('fuzzing SIP + MANSCDP (in-process, recording fake SIP transport)', () => {
  it('survives 120 000 mutated requests: no throw, refusals change nothing, accepted events match the schema, no heap growth', () => {
    const h = harness();
    // A nonce from a real challenge, so that valid-looking Authorization seeds reach the digest check.
    h.registrar(sip.parse(Buffer.from(sipText('REGISTER', ['Expires: 3600']), 'latin1'))!, remote);
    const nonce = /nonce="([^"]+)"/.exec(String(h.replies[0]?.headers['WWW-Authenticate']))![1]!;
    const uri = `sip:${SERVER}@${DOMAIN}`;
    const response = md5(`${md5(`${DEVICE}:${DOMAIN}:pw`)}:${nonce}:${md5(`REGISTER:${uri}`)}`);
    const auth = `Authorization: Digest username="${DEVICE}", realm="${DOMAIN}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
    const seeds = [
      sipText('REGISTER', ['Expires: 3600']),
      sipText('REGISTER', ['Expires: 3600', `Contact: <sip:${DEVICE}@127.0.0.9:5070>`, auth]),
      sipText('REGISTER', ['Expires: 0', auth]),
      ...MANSCDP.map((body) => sipText('MESSAGE', ['Content-Type: Application/MANSCDP+xml'], body)),
    ];
    const random = prng(20261121);
    let parsed = 0;
    let accepted = 0;
    const invalid: unknown[] = [];
    const round = (count: number): void => {
      for (let i = 0; i < count; i++) {
        const text = mutate(seeds[i % seeds.length]!, random);
        const message: SipMessage | undefined = sip.parse(Buffer.from(text, 'latin1'));
        if (!message?.method || !message.headers.cseq || !message.headers.via) continue;
        parsed += 1;
        // Keep the device registered so that MESSAGEs reach the MANSCDP parser.
        if (!h.registry.registered(DEVICE))
          h.registry.register({
            deviceId: DEVICE,
            kind: 'gb28181',
            transport: 'udp',
            address: '127.0.0.9',
            port: 5070,
            callId: 'x',
            expiresS: 3600,
          });
        const eventsBefore = h.published.length;
        const repliesBefore = h.replies.length;
        const handler = message.method === 'REGISTER' ? h.registrar : message.method === 'MESSAGE' ? h.messages.handle : undefined;
        handler?.(message, remote);
        const status = h.replies[repliesBefore]?.status;
        const newEvents = h.published.slice(eventsBefore);
        if (status !== undefined && status >= 300 && newEvents.length > 0) invalid.push({ text, status, newEvents });
        if (status === 200) accepted += 1;
        for (const event of newEvents) if (!bridgeEventSchema.safeParse(event).success) invalid.push({ text, event });
        for (const id of h.registry.ids()) if (id !== DEVICE) invalid.push({ text, registered: id });
        h.published.length = 0;
        h.replies.length = 0;
      }
    };
    round(20_000);
    const heapBefore = heapMb();
    round(100_000);
    const heapAfter = heapMb();
    h.close();
    expect(invalid.slice(0, 3)).toEqual([]);
    expect(parsed).toBeGreaterThan(50_000);
    expect(accepted).toBeGreaterThan(5_000);
    expect(heapAfter - heapBefore).toBeLessThan(8);
  }, 120_000);
});
