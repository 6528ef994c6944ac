/**
 * Simulated GB/T 28181 devices (body cameras, field units) over real SIP/UDP: REGISTER
 * with digest, Keepalive, MobilePosition, Alarm, and answers to the bridge's queries.
 * Many devices share a few sockets. It is the load generator of `bench:bridge`, the
 * device of the end-to-end tests, and the demo's source of living field units.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import iconv from 'iconv-lite';
import type { PsVideoSource } from './ps-video-source.js';
import { answer, header, parseSipText, type SipText } from './sip-text.js';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

export interface SimDevice {
  deviceId: string;
  password: string;
  /** Channel name in the catalog answer (Chinese welcome: sent as GB18030). */
  name?: string;
}

export interface FleetOptions {
  bridgeHost: string;
  bridgePort: number;
  /** Local address; must differ from the bridge's (the `sip` stack's local-address trap). */
  bindHost: string;
  serverId: string;
  domain: string;
  devices: SimDevice[];
  devicesPerSocket?: number;
  expiresS?: number;
  /** Answer Catalog and DeviceInfo queries with a one-channel catalog. */
  answerQueries?: boolean;
  /** Use qop=auth in the Authorization when the challenge offers it. */
  useQop?: boolean;
  /** Video a channel sends when INVITEd (one source per INVITE); absent or undefined: the INVITE is refused with 488. */
  video?: (channelId: string) => PsVideoSource | undefined;
  /** Where a device is, for the first NOTIFY after a MobilePosition SUBSCRIBE; absent: Tiananmen. */
  positionOf?: (deviceId: string) => { longitude: number; latitude: number };
}

interface Pending {
  sentAt: number;
  onAnswer: (status: number, message: SipText, rttMs: number) => void;
  retries: number;
  payload: string;
  socket: Socket;
}

export interface FleetStats {
  registered: number;
  registerFailures: number;
  keepaliveRttMs: number[];
  alarmAnswers: number;
  queriesAnswered: number;
  subscriptions: number;
  refused: number;
}

export class GbFleet {
  readonly stats: FleetStats = {
    registered: 0,
    registerFailures: 0,
    keepaliveRttMs: [],
    alarmAnswers: 0,
    queriesAnswered: 0,
    subscriptions: 0,
    refused: 0,
  };
  private readonly pending = new Map<string, Pending>();
  private readonly indexOf = new Map<string, number>();
  /** Requests from the bridge already handled (Call-ID/CSeq): a retransmission is answered 200 again, not acted on twice. */
  private readonly handled = new Set<string>();
  private readonly retransmit: NodeJS.Timeout;
  /** Media sessions by Call-ID. */
  readonly sessions = new Map<string, { source: PsVideoSource; host: string; port: number; ssrc: number; started: boolean; sdp: string }>();
  /** The last WWW-Authenticate the bridge sent. */
  lastChallenge = '';
  private cseq = 1;
  private sn = 1;

  private constructor(
    private readonly options: FleetOptions,
    private readonly sockets: Socket[],
    private readonly ports: number[],
  ) {
    this.retransmit = setInterval(() => this.resend(), 1000);
    options.devices.forEach((device, index) => this.indexOf.set(device.deviceId, index));
  }

  static async create(options: FleetOptions): Promise<GbFleet> {
    const perSocket = options.devicesPerSocket ?? 100;
    const count = Math.max(1, Math.ceil(options.devices.length / perSocket));
    const sockets: Socket[] = [];
    const ports: number[] = [];
    const holder: { fleet?: GbFleet } = {};
    for (let i = 0; i < count; i++) {
      const socket = createSocket({ type: 'udp4', recvBufferSize: 1 << 21, sendBufferSize: 1 << 21 });
      socket.on('message', (data) => holder.fleet?.receive(socket, data));
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.bind(0, options.bindHost, resolve));
      sockets.push(socket);
      ports.push(socket.address().port);
    }
    holder.fleet = new GbFleet(options, sockets, ports);
    return holder.fleet;
  }

  get size(): number {
    return this.options.devices.length;
  }

  private socketOf(index: number): { socket: Socket; port: number } {
    const slot = Math.floor(index / (this.options.devicesPerSocket ?? 100)) % this.sockets.length;
    return { socket: this.sockets[slot]!, port: this.ports[slot]! };
  }

  private request(
    index: number,
    method: string,
    uri: string,
    callId: string,
    extra: string[],
    body = '',
    onAnswer?: Pending['onAnswer'],
  ): void {
    const device = this.options.devices[index]!;
    const { socket, port } = this.socketOf(index);
    const seq = this.cseq++;
    const bodyBytes = Buffer.from(body, 'latin1');
    const text = [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.options.bindHost}:${port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      `From: <sip:${device.deviceId}@${this.options.domain}>;tag=${device.deviceId.slice(-6)}`,
      `To: <sip:${method === 'REGISTER' ? device.deviceId : this.options.serverId}@${this.options.domain}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${seq} ${method}`,
      `Max-Forwards: 70`,
      `User-Agent: cc-gb-sim`,
      ...extra,
      `Content-Length: ${bodyBytes.length}`,
      '',
      '',
    ].join('\r\n');
    const payload = Buffer.concat([Buffer.from(text, 'latin1'), bodyBytes]);
    if (onAnswer)
      this.pending.set(`${callId}/${seq}`, {
        sentAt: performance.now(),
        onAnswer,
        retries: 0,
        payload: payload.toString('latin1'),
        socket,
      });
    socket.send(payload, this.options.bridgePort, this.options.bridgeHost);
  }

  /** Registers device `index` (challenge, then digest); resolves true on 200. */
  register(index: number, expiresS = this.options.expiresS ?? 3600): Promise<boolean> {
    const device = this.options.devices[index]!;
    const uri = `sip:${this.options.serverId}@${this.options.domain}`;
    const { port } = this.socketOf(index);
    const callId = `reg-${device.deviceId}`;
    const base = [`Contact: <sip:${device.deviceId}@${this.options.bindHost}:${port}>`, `Expires: ${expiresS}`];
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        if (ok && expiresS > 0) this.stats.registered += 1;
        if (!ok) this.stats.registerFailures += 1;
        resolve(ok);
      };
      this.request(index, 'REGISTER', uri, callId, base, '', (status, message) => {
        if (status !== 401) return done(status === 200);
        this.lastChallenge = header(message, 'www-authenticate') ?? '';
        const auth = this.authorization(device, uri, this.lastChallenge);
        this.request(index, 'REGISTER', uri, callId, [...base, auth], '', (second) => done(second === 200));
      });
    });
  }

  private authorization(device: SimDevice, uri: string, challenge: string): string {
    const realm = /realm="([^"]*)"/.exec(challenge)?.[1] ?? '';
    const nonce = /nonce="([^"]*)"/.exec(challenge)?.[1] ?? '';
    const ha1 = md5(`${device.deviceId}:${realm}:${device.password}`);
    const ha2 = md5(`REGISTER:${uri}`);
    const common = `Digest username="${device.deviceId}", realm="${realm}", nonce="${nonce}", uri="${uri}"`;
    if (this.options.useQop && /qop="?[^"]*auth/.test(challenge)) {
      const cnonce = randomBytes(4).toString('hex');
      const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
      return `Authorization: ${common}, response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
    }
    return `Authorization: ${common}, response="${md5(`${ha1}:${nonce}:${ha2}`)}", algorithm=MD5`;
  }

  /** Sends a MANSCDP MESSAGE from device `index`; `onAnswer` gets the SIP status and the round trip. */
  message(index: number, xml: string, onAnswer?: (status: number, rttMs: number) => void): void {
    const uri = `sip:${this.options.serverId}@${this.options.domain}`;
    const body = iconv.encode(xml, 'gb18030').toString('latin1');
    this.request(
      index,
      'MESSAGE',
      uri,
      randomBytes(8).toString('hex'),
      ['Content-Type: Application/MANSCDP+xml'],
      body,
      (status, _m, rtt) => {
        if (status === 403) this.stats.refused += 1;
        onAnswer?.(status, rtt);
      },
    );
  }

  keepalive(index: number, onAnswer?: (status: number) => void): void {
    const id = this.options.devices[index]!.deviceId;
    this.message(index, notify('Keepalive', this.sn++, id, '<Status>OK</Status>\n'), (status, rtt) => {
      if (status === 200) this.stats.keepaliveRttMs.push(rtt);
      onAnswer?.(status);
    });
  }

  position(index: number, longitude: number, latitude: number, speedKmh = 5, directionDeg = 0, onAnswer?: (status: number) => void): void {
    const id = this.options.devices[index]!.deviceId;
    const extra = `<Time>${new Date().toISOString().slice(0, 19)}</Time>\n<Longitude>${longitude.toFixed(6)}</Longitude>\n<Latitude>${latitude.toFixed(6)}</Latitude>\n<Speed>${speedKmh.toFixed(1)}</Speed>\n<Direction>${directionDeg.toFixed(1)}</Direction>\n`;
    this.message(index, notify('MobilePosition', this.sn++, id, extra), onAnswer && ((status) => onAnswer(status)));
  }

  /** An alarm with position; method 1 with priority 1 is the field unit's SOS button (the hub's reading). */
  alarm(index: number, description: string, position?: { longitude: number; latitude: number }, method = 1): number {
    const id = this.options.devices[index]!.deviceId;
    const sn = this.sn++;
    const where = position ? `<Longitude>${position.longitude}</Longitude>\n<Latitude>${position.latitude}</Latitude>\n` : '';
    const extra = `<AlarmPriority>1</AlarmPriority>\n<AlarmMethod>${method}</AlarmMethod>\n<AlarmTime>${new Date().toISOString().slice(0, 19)}</AlarmTime>\n<AlarmDescription>${description}</AlarmDescription>\n${where}<Info>\n<AlarmType>2</AlarmType>\n</Info>\n`;
    this.message(index, notify('Alarm', sn, id, extra));
    return sn;
  }

  private receive(socket: Socket, data: Buffer): void {
    const message = parseSipText(data.toString('latin1'));
    if (!message) return;
    if (message.status !== undefined) return this.onResponse(message);
    if (message.method === 'ACK') return this.onAck(message);
    if (message.method === 'INVITE') return this.onInvite(socket, message);
    socket.send(answer(message, 200, 'OK', 'sim'), this.options.bridgePort, this.options.bridgeHost);
    if (message.method === 'BYE') return this.endSession(header(message, 'call-id') ?? '');
    const key = `${header(message, 'call-id') ?? ''}/${header(message, 'cseq') ?? ''}`;
    if (this.handled.has(key)) return;
    this.handled.add(key);
    if (this.handled.size > 50_000) this.handled.clear();
    if (message.method === 'MESSAGE') this.onBridgeMessage(message);
    if (message.method === 'SUBSCRIBE') this.onSubscribe(message);
  }

  /** MobilePosition SUBSCRIBE: accepted (200 above), then a first NOTIFY with the position. */
  private onSubscribe(message: SipText): void {
    if (!this.options.answerQueries) return;
    const xml = iconv.decode(Buffer.from(message.body, 'latin1'), 'gb18030');
    const target = /<DeviceID>(\d{20})<\/DeviceID>/.exec(xml)?.[1] ?? '';
    const index = this.indexOf.get(target);
    if (index === undefined || !/<CmdType>MobilePosition<\/CmdType>/.test(xml)) return;
    this.stats.subscriptions += 1;
    const sn = this.sn++;
    const at = this.options.positionOf?.(target) ?? { longitude: 116.397128, latitude: 39.916527 };
    const body = iconv
      .encode(
        notify(
          'MobilePosition',
          sn,
          target,
          `<Time>${new Date().toISOString().slice(0, 19)}</Time>\n<Longitude>${at.longitude.toFixed(6)}</Longitude>\n<Latitude>${at.latitude.toFixed(6)}</Latitude>\n<Speed>0.0</Speed>\n`,
        ),
        'gb18030',
      )
      .toString('latin1');
    const headers = ['Event: presence', 'Subscription-State: active;expires=3600', 'Content-Type: Application/MANSCDP+xml'];
    this.request(
      index,
      'NOTIFY',
      `sip:${this.options.serverId}@${this.options.domain}`,
      header(message, 'call-id') ?? randomBytes(8).toString('hex'),
      headers,
      body,
      () => undefined,
    );
  }

  private onInvite(socket: Socket, message: SipText): void {
    const callId = header(message, 'call-id') ?? '';
    const host = /c=IN IP4 ([0-9.]+)/.exec(message.body)?.[1];
    const port = Number(/m=video (\d+)/.exec(message.body)?.[1] ?? 0);
    const ssrcText = /y=(\d+)/.exec(message.body)?.[1] ?? '0';
    const channel = /^INVITE sip:(\d+)@/.exec(message.firstLine)?.[1] ?? '';
    const source = this.sessions.has(callId) || !host || !port ? undefined : this.options.video?.(channel);
    if (!this.sessions.has(callId) && !source) {
      socket.send(answer(message, 488, 'Not Acceptable Here', 'sim'), this.options.bridgePort, this.options.bridgeHost);
      return;
    }
    if (source && host) this.sessions.set(callId, { source, host, port, ssrc: Number(ssrcText), started: false, sdp: message.body });
    const sdp = `v=0\r\no=${channel} 0 0 IN IP4 ${this.options.bindHost}\r\ns=Play\r\nc=IN IP4 ${this.options.bindHost}\r\nt=0 0\r\nm=video 15060 RTP/AVP 96\r\na=sendonly\r\na=rtpmap:96 PS/90000\r\ny=${ssrcText}\r\n`;
    const ok = answer(message, 200, 'OK', 'sim').replace(
      'Content-Length: 0\r\n\r\n',
      `Contact: <sip:${channel}@${this.options.bindHost}:${socket.address().port}>\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
    );
    socket.send(ok, this.options.bridgePort, this.options.bridgeHost);
  }

  private onAck(message: SipText): void {
    const session = this.sessions.get(header(message, 'call-id') ?? '');
    if (!session || session.started) return;
    session.started = true;
    session.source.start(session.host, session.port, session.ssrc, this.options.bindHost);
  }

  private endSession(callId: string): void {
    this.sessions.get(callId)?.source.stop();
    this.sessions.delete(callId);
  }

  private onResponse(message: SipText): void {
    const seq = (header(message, 'cseq') ?? '').split(' ')[0];
    const key = `${header(message, 'call-id') ?? ''}/${seq}`;
    const pending = this.pending.get(key);
    if (!pending || (message.status ?? 0) < 200) return;
    this.pending.delete(key);
    pending.onAnswer(message.status ?? 0, message, performance.now() - pending.sentAt);
  }

  private onBridgeMessage(message: SipText): void {
    const xml = iconv.decode(Buffer.from(message.body, 'latin1'), 'gb18030');
    const cmd = /<CmdType>([^<]+)<\/CmdType>/.exec(xml)?.[1];
    const sn = Number(/<SN>(\d+)<\/SN>/.exec(xml)?.[1] ?? 0);
    const target = /<DeviceID>(\d{20})<\/DeviceID>/.exec(xml)?.[1] ?? '';
    if (/<Response>/.test(xml) && cmd === 'Alarm') {
      this.stats.alarmAnswers += 1;
      return;
    }
    if (!this.options.answerQueries || !/<Query>/.test(xml)) return;
    const index = this.indexOf.get(target);
    if (index === undefined) return;
    const device = this.options.devices[index]!;
    this.stats.queriesAnswered += 1;
    if (cmd === 'Catalog') {
      const item = `<Item>\n<DeviceID>${device.deviceId}</DeviceID>\n<Name>${device.name ?? device.deviceId}</Name>\n<Manufacturer>cc-sim</Manufacturer>\n<ParentID>${device.deviceId}</ParentID>\n<Parental>0</Parental>\n<Status>ON</Status>\n</Item>\n`;
      this.message(index, response('Catalog', sn, device.deviceId, `<SumNum>1</SumNum>\n<DeviceList Num="1">\n${item}</DeviceList>\n`));
    } else if (cmd === 'RecordInfo') {
      // Two segments in two MESSAGEs with the same SN, as recorders answer.
      const channel = /<DeviceID>(\d{20})<\/DeviceID>/.exec(xml)?.[1] ?? device.deviceId;
      const day = /<StartTime>(\d{4}-\d{2}-\d{2})/.exec(xml)?.[1] ?? '2026-11-21';
      for (const [from, to] of [
        ['08:00:00', '08:30:00'],
        ['09:00:00', '09:45:00'],
      ]) {
        const item = `<Item>\n<DeviceID>${channel}</DeviceID>\n<Name>${device.name ?? 'rec'}</Name>\n<StartTime>${day}T${from}</StartTime>\n<EndTime>${day}T${to}</EndTime>\n<Type>time</Type>\n<FileSize>1048576</FileSize>\n</Item>\n`;
        this.message(index, response('RecordInfo', sn, channel, `<SumNum>2</SumNum>\n<RecordList Num="1">\n${item}</RecordList>\n`));
      }
    } else if (cmd === 'DeviceInfo') {
      this.message(
        index,
        response(
          'DeviceInfo',
          sn,
          device.deviceId,
          `<DeviceName>${device.name ?? 'sim'}</DeviceName>\n<Manufacturer>cc-sim</Manufacturer>\n<Model>BodyCam</Model>\n<Firmware>1.0</Firmware>\n<Channel>1</Channel>\n<Result>OK</Result>\n`,
        ),
      );
    }
  }

  private resend(): void {
    const now = performance.now();
    for (const [key, pending] of this.pending) {
      if (now - pending.sentAt < 2000 * (pending.retries + 1)) continue;
      if (pending.retries >= 3) {
        this.pending.delete(key);
        pending.onAnswer(408, { firstLine: '', headers: new Map(), body: '' }, now - pending.sentAt);
        continue;
      }
      pending.retries += 1;
      pending.socket.send(Buffer.from(pending.payload, 'latin1'), this.options.bridgePort, this.options.bridgeHost);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.retransmit);
    for (const callId of [...this.sessions.keys()]) this.endSession(callId);
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

const notify = (cmd: string, sn: number, id: string, extra: string): string =>
  `<?xml version="1.0" encoding="GB2312"?>\n<Notify>\n<CmdType>${cmd}</CmdType>\n<SN>${sn}</SN>\n<DeviceID>${id}</DeviceID>\n${extra}</Notify>\n`;
const response = (cmd: string, sn: number, id: string, extra: string): string =>
  `<?xml version="1.0" encoding="GB2312"?>\n<Response>\n<CmdType>${cmd}</CmdType>\n<SN>${sn}</SN>\n<DeviceID>${id}</DeviceID>\n${extra}</Response>\n`;
