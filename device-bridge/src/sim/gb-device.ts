/**
 * One fully simulated GB/T 28181 device (a recorder-capable body camera) over real SIP/UDP,
 * for the media and subscription tests: REGISTER with digest, Keepalive, Catalog and
 * DeviceInfo answers, live/playback/download INVITEs with media over UDP, TCP-passive (it
 * connects) or TCP-active (it listens), MANSRTSP playback control in INFO, MediaStatus 121
 * at the end of a recording, and Catalog/MobilePosition subscriptions with NOTIFYs.
 * (GbFleet is the many-device load generator; this is the one device that does everything.)
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer, type Server, type Socket as TcpSocket } from 'node:net';
import iconv from 'iconv-lite';
import { MansrtspError, parseMansrtsp, type MansrtspRequest } from '../gb28181/mansrtsp.js';
import { frame4571 } from '../media/rtp.js';
import type { PsVideoSource } from './ps-video-source.js';
import { answer, header, parseSipText, type SipText } from './sip-text.js';
import { catalogItem, digestAuthorization, gbXml, readOffer, type CatalogChange, type SimOffer } from './gb-device-text.js';

export interface SimDeviceOptions {
  bridgeHost: string;
  bridgePort: number;
  /** Local address; must differ from the bridge's (the `sip` stack's local-address trap). */
  bindHost: string;
  serverId: string;
  domain: string;
  deviceId: string;
  password: string;
  name?: string;
  /** Video for each INVITE; absent: INVITEs are refused with 488. */
  video?: () => PsVideoSource;
  /** Length of every recording played back, s; absent: the requested range. */
  recordingS?: number;
  /** TCP-passive streams: first open a connection that sends garbage (the bridge must cut it off). */
  tcpGarbageFirst?: boolean;
  /** The From user of in-dialog MediaStatus; Hikvision puts another ID there than the device's. */
  mediaStatusFrom?: string;
}

export interface SimSession extends SimOffer {
  callId: string;
  source: PsVideoSource;
  controls: MansrtspRequest[];
  started: boolean;
  /** Our dialog tag, the bridge's tag and where to send in-dialog requests. */
  tag: string;
  bridgeFrom: string;
  bridgeContact: string;
  tcp?: TcpSocket;
  server?: Server;
  garbageCutOff?: boolean;
}

export interface SimSubscription {
  callId: string;
  event: 'Catalog' | 'MobilePosition';
  expiresS: number;
  refreshes: number;
  tag: string;
  bridgeFrom: string;
  bridgeContact: string;
}

export class SimGbDevice {
  readonly sessions = new Map<string, SimSession>();
  readonly subscriptions = new Map<string, SimSubscription>();
  readonly stats = { subscribes: 0, refreshes: 0, unsubscribes: 0, infos: 0, badInfos: 0 };
  private readonly pending = new Map<string, (message: SipText) => void>();
  private readonly handled = new Set<string>();
  private cseq = 1;
  private sn = 1;

  private constructor(
    private readonly options: SimDeviceOptions,
    private readonly socket: Socket,
  ) {
    socket.on('message', (data) => this.receive(data));
  }

  static async create(options: SimDeviceOptions): Promise<SimGbDevice> {
    const socket = createSocket('udp4');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.bind(0, options.bindHost, resolve));
    return new SimGbDevice(options, socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  private send(text: string): void {
    this.socket.send(Buffer.from(text, 'latin1'), this.options.bridgePort, this.options.bridgeHost);
  }

  /** Sends a request; resolves with the final answer (status 408 after 8 s without one). */
  exchange(method: string, uri: string, lines: string[], body = '', callId = randomBytes(8).toString('hex')): Promise<SipText> {
    const seq = this.cseq++;
    const has = (name: string): boolean => lines.some((l) => l.startsWith(`${name}:`));
    const text = [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.options.bindHost}:${this.port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      ...(has('From') ? [] : [`From: <sip:${this.options.deviceId}@${this.options.domain}>;tag=${randomBytes(4).toString('hex')}`]),
      ...(has('To') ? [] : [`To: <sip:${this.options.serverId}@${this.options.domain}>`]),
      `Call-ID: ${callId}`,
      `CSeq: ${seq} ${method}`,
      'Max-Forwards: 70',
      'User-Agent: cc-gb-sim-device',
      ...lines,
      `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
      '',
      body,
    ].join('\r\n');
    return new Promise((resolve) => {
      const key = `${callId}/${seq}`;
      const timer = setTimeout(() => {
        this.pending.delete(key);
        resolve({ firstLine: '', status: 408, headers: new Map(), body: '' });
      }, 8000);
      this.pending.set(key, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.send(text);
    });
  }

  request(method: string, uri: string, lines: string[], body = '', callId?: string): Promise<number> {
    return this.exchange(method, uri, lines, body, callId).then((m) => m.status ?? 0);
  }

  private get serverUri(): string {
    return `sip:${this.options.serverId}@${this.options.domain}`;
  }

  /** REGISTER with digest (challenge, then Authorization); resolves with the final status. */
  async register(expiresS = 3600): Promise<number> {
    const callId = `reg-${this.options.deviceId}-${this.port}`;
    const base = [`Contact: <sip:${this.options.deviceId}@${this.options.bindHost}:${this.port}>`, `Expires: ${expiresS}`];
    const to = `To: <sip:${this.options.deviceId}@${this.options.domain}>`;
    const from = `From: <sip:${this.options.deviceId}@${this.options.domain}>;tag=reg${this.port}`;
    const first = await this.exchange('REGISTER', this.serverUri, [from, to, ...base], '', callId);
    if (first.status !== 401) return first.status ?? 0;
    const challenge = header(first, 'www-authenticate') ?? '';
    const auth = digestAuthorization(challenge, this.options.deviceId, this.options.password, this.serverUri);
    return this.request('REGISTER', this.serverUri, [from, to, ...base, auth], '', callId);
  }

  /** A MANSCDP MESSAGE (GB18030 on the wire). */
  message(xml: string, extra: string[] = [], callId?: string): Promise<number> {
    const body = iconv.encode(xml, 'gb18030').toString('latin1');
    return this.request('MESSAGE', this.serverUri, ['Content-Type: Application/MANSCDP+xml', ...extra], body, callId);
  }

  keepalive(): Promise<number> {
    return this.message(gbXml('Notify', 'Keepalive', this.sn++, this.options.deviceId, '<Status>OK</Status>\n'));
  }

  /** Catalog changes as a NOTIFY in the Catalog subscription's dialog. */
  catalogNotify(changes: CatalogChange[]): Promise<number> {
    const sub = [...this.subscriptions.values()].find((s) => s.event === 'Catalog');
    if (!sub) throw new Error('no Catalog subscription');
    const items = changes.map(catalogItem).join('');
    const xml = gbXml(
      'Notify',
      'Catalog',
      this.sn++,
      this.options.deviceId,
      `<SumNum>${changes.length}</SumNum>\n<DeviceList Num="${changes.length}">\n${items}</DeviceList>\n`,
    );
    return this.notify(sub.callId, 'Catalog', xml, sub);
  }

  /** A NOTIFY with any Call-ID (bad-input tests use one the bridge never subscribed). */
  notify(callId: string, event: string, xml: string, dialog?: SimSubscription): Promise<number> {
    const body = iconv.encode(xml, 'gb18030').toString('latin1');
    const lines = [
      `Event: ${event}`,
      'Subscription-State: active',
      'Content-Type: Application/MANSCDP+xml',
      ...(dialog ? [`From: <sip:${this.options.deviceId}@${this.options.domain}>;tag=${dialog.tag}`, `To: ${dialog.bridgeFrom}`] : []),
    ];
    return this.request('NOTIFY', dialog?.bridgeContact ?? this.serverUri, lines, body, callId);
  }

  /** An INFO from the device (bridges have nothing to act on; bad-input tests). */
  info(callId: string, body: string): Promise<number> {
    return this.request('INFO', this.serverUri, ['Content-Type: Application/MANSRTSP'], body, callId);
  }

  private receive(data: Buffer): void {
    const message = parseSipText(data.toString('latin1'));
    if (!message) return;
    if (message.status !== undefined) {
      if (message.status < 200) return;
      const key = `${header(message, 'call-id') ?? ''}/${(header(message, 'cseq') ?? '').split(' ')[0]}`;
      const done = this.pending.get(key);
      this.pending.delete(key);
      return done?.(message);
    }
    const key = `${header(message, 'call-id') ?? ''}/${header(message, 'cseq') ?? ''}`;
    const repeat = this.handled.has(key);
    this.handled.add(key);
    if (message.method === 'ACK') return repeat ? undefined : this.onAck(message);
    if (message.method === 'INVITE') return void this.onInvite(message, repeat);
    if (message.method === 'BYE') return this.onBye(message);
    if (message.method === 'INFO') return this.onInfo(message, repeat);
    if (message.method === 'SUBSCRIBE') return this.onSubscribe(message, repeat);
    this.reply(message, 200, 'OK');
    if (message.method === 'MESSAGE' && !repeat) this.onQuery(message);
  }

  private reply(request: SipText, status: number, reason: string, lines: string[] = [], body = '', tag = 'dev'): void {
    const ok = answer(request, status, reason, tag).replace(
      'Content-Length: 0\r\n\r\n',
      [...lines, `Content-Length: ${Buffer.byteLength(body, 'latin1')}`, '', body].join('\r\n'),
    );
    this.send(ok);
  }

  private async onInvite(message: SipText, repeat: boolean): Promise<void> {
    const callId = header(message, 'call-id') ?? '';
    const offer = readOffer(message.body);
    if (!this.options.video || !offer) return this.reply(message, 488, 'Not Acceptable Here');
    let session = this.sessions.get(callId);
    if (!session && !repeat) {
      const source = this.options.video();
      if (offer.mode !== 'Play') source.durationS = this.options.recordingS ?? offer.rangeS;
      if (offer.mode === 'Download') source.setScale(Math.min(4, Math.max(1, offer.downloadSpeed)));
      const contact = /<([^>]+)>/.exec(header(message, 'contact') ?? '')?.[1] ?? this.serverUri;
      const tag = `dev${randomBytes(3).toString('hex')}`;
      session = {
        ...offer,
        callId,
        source,
        controls: [],
        started: false,
        tag,
        bridgeFrom: header(message, 'from') ?? '',
        bridgeContact: contact,
      };
      this.sessions.set(callId, session);
      source.onEnd = () => void this.mediaStatus(callId, 121);
      if (offer.transport === 'tcp_active') session.server = await this.listen(session);
    }
    if (!session) return;
    const tcp = session.transport !== 'udp';
    const mediaPort = session.server ? (session.server.address() as { port: number }).port : 15060;
    const sdp = [
      'v=0',
      `o=${this.options.deviceId} 0 0 IN IP4 ${this.options.bindHost}`,
      `s=${session.mode}`,
      `c=IN IP4 ${this.options.bindHost}`,
      't=0 0',
      `m=video ${mediaPort} ${tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96`,
      'a=sendonly',
      'a=rtpmap:96 PS/90000',
      ...(tcp ? [`a=setup:${session.transport === 'tcp_active' ? 'passive' : 'active'}`, 'a=connection:new'] : []),
      ...(session.mode === 'Download' ? ['a=filesize:1048576'] : []),
      `y=${String(session.ssrc).padStart(10, '0')}`,
      '',
    ].join('\r\n');
    const contact = `Contact: <sip:${this.options.deviceId}@${this.options.bindHost}:${this.port}>`;
    this.reply(message, 200, 'OK', [contact, 'Content-Type: application/sdp'], sdp, session.tag);
  }

  /** TCP-active (the bridge connects): listen for it, stream on the first connection. */
  private listen(session: SimSession): Promise<Server> {
    const server = createServer((socket) => {
      session.tcp = socket;
      socket.on('error', () => undefined);
      session.source.startWith((packet) => socket.write(frame4571(packet)), session.ssrc);
    });
    return new Promise((resolve) => server.listen(0, this.options.bindHost, () => resolve(server)));
  }

  private onAck(message: SipText): void {
    const session = this.sessions.get(header(message, 'call-id') ?? '');
    if (!session || session.started) return;
    session.started = true;
    if (session.transport === 'udp') return session.source.start(session.host, session.port, session.ssrc, this.options.bindHost);
    if (session.transport === 'tcp_passive') void this.connectMedia(session);
  }

  /** TCP-passive (we connect): optionally a garbage connection first, which the bridge must cut off. */
  private async connectMedia(session: SimSession): Promise<void> {
    if (this.options.tcpGarbageFirst) {
      const bad = connect({ host: session.host, port: session.port, localAddress: this.options.bindHost });
      bad.on('error', () => undefined);
      await new Promise<void>((resolve) => {
        bad.on('connect', () => bad.write(Buffer.from('\u0000\u0004GET / HTTP/1.0\r\n\r\ngarbage garbage garbage', 'latin1')));
        bad.on('close', () => resolve());
      });
      session.garbageCutOff = true;
    }
    if (!this.sessions.has(session.callId)) return;
    const socket = connect({ host: session.host, port: session.port, localAddress: this.options.bindHost });
    session.tcp = socket;
    socket.on('error', () => undefined);
    socket.on('connect', () => session.source.startWith((packet) => socket.write(frame4571(packet)), session.ssrc));
  }

  private onBye(message: SipText): void {
    const callId = header(message, 'call-id') ?? '';
    const session = this.sessions.get(callId);
    this.reply(message, session ? 200 : 481, session ? 'OK' : 'Call/Transaction Does Not Exist');
    if (!session) return;
    this.endSession(session);
  }

  private endSession(session: SimSession): void {
    session.source.stop();
    session.tcp?.destroy();
    session.server?.close();
    this.sessions.delete(session.callId);
  }

  private onInfo(message: SipText, repeat: boolean): void {
    const session = this.sessions.get(header(message, 'call-id') ?? '');
    if (!session) return this.reply(message, 481, 'Call/Transaction Does Not Exist');
    if (!/^application\/mansrtsp/i.test(header(message, 'content-type') ?? '')) return this.reply(message, 415, 'Unsupported Media Type');
    let control: MansrtspRequest;
    try {
      control = parseMansrtsp(message.body);
    } catch (error) {
      if (!(error instanceof MansrtspError)) throw error;
      this.stats.badInfos += 1;
      return this.reply(message, 400, 'Bad Request', [], '', session.tag);
    }
    this.reply(message, 200, 'OK', [], '', session.tag);
    if (repeat) return;
    this.stats.infos += 1;
    session.controls.push(control);
    const { source } = session;
    if (control.method === 'PAUSE') source.pause();
    if (control.method === 'PLAY' && typeof control.rangeStart === 'number') source.seek(control.rangeStart);
    if (control.method === 'PLAY' && control.rangeStart === 'now') source.resume();
    if (control.scale !== undefined) source.setScale(control.scale);
  }

  /** In-dialog MediaStatus (121 = end of file), as recorders send it when a playback ends. */
  mediaStatus(callId: string, notifyType: number): Promise<number> {
    const session = this.sessions.get(callId);
    if (!session) return Promise.resolve(481);
    const xml = gbXml('Notify', 'MediaStatus', this.sn++, this.options.deviceId, `<NotifyType>${notifyType}</NotifyType>\n`);
    const from = this.options.mediaStatusFrom ?? this.options.deviceId;
    const dialog = [`From: <sip:${from}@${this.options.domain}>;tag=${session.tag}`, `To: ${session.bridgeFrom}`];
    return this.message(xml, dialog, callId);
  }

  private onSubscribe(message: SipText, repeat: boolean): void {
    const callId = header(message, 'call-id') ?? '';
    const xml = iconv.decode(Buffer.from(message.body, 'latin1'), 'gb18030');
    const event = /<CmdType>(Catalog|MobilePosition)<\/CmdType>/.exec(xml)?.[1] as SimSubscription['event'] | undefined;
    const expiresS = Number(header(message, 'expires') ?? 3600);
    const known = this.subscriptions.get(callId);
    if (!event && !known) return this.reply(message, 489, 'Bad Event');
    const tag = known?.tag ?? `sub${randomBytes(3).toString('hex')}`;
    this.reply(message, 200, 'OK', [`Expires: ${expiresS}`], '', tag);
    if (repeat) return;
    if (expiresS === 0) {
      this.subscriptions.delete(callId);
      this.stats.unsubscribes += 1;
      return;
    }
    if (known) {
      known.expiresS = expiresS;
      known.refreshes += 1;
      this.stats.refreshes += 1;
      return;
    }
    const contact = /<([^>]+)>/.exec(header(message, 'contact') ?? '')?.[1] ?? this.serverUri;
    const sub = { callId, event: event!, expiresS, refreshes: 0, tag, bridgeFrom: header(message, 'from') ?? '', bridgeContact: contact };
    this.subscriptions.set(callId, sub);
    this.stats.subscribes += 1;
    if (sub.event === 'MobilePosition') {
      const at = `<Time>${new Date().toISOString().slice(0, 19)}</Time>\n<Longitude>116.3</Longitude>\n<Latitude>39.9</Latitude>\n`;
      void this.notify(callId, 'presence', gbXml('Notify', 'MobilePosition', this.sn++, this.options.deviceId, at), sub);
    }
  }

  private onQuery(message: SipText): void {
    const xml = iconv.decode(Buffer.from(message.body, 'latin1'), 'gb18030');
    const cmd = /<CmdType>([^<]+)<\/CmdType>/.exec(xml)?.[1];
    const sn = Number(/<SN>(\d+)<\/SN>/.exec(xml)?.[1] ?? 0);
    const id = this.options.deviceId;
    if (!/<Query>/.test(xml)) return;
    if (cmd === 'Catalog') {
      const item = catalogItem({ channelId: id, name: this.options.name ?? id, parentId: id, status: 'ON' });
      void this.message(gbXml('Response', 'Catalog', sn, id, `<SumNum>1</SumNum>\n<DeviceList Num="1">\n${item}</DeviceList>\n`));
    } else if (cmd === 'DeviceInfo') {
      const info = `<DeviceName>${this.options.name ?? 'sim'}</DeviceName>\n<Manufacturer>cc-sim</Manufacturer>\n<Model>BodyCam-R</Model>\n<Firmware>2.0</Firmware>\n<Channel>1</Channel>\n<Result>OK</Result>\n`;
      void this.message(gbXml('Response', 'DeviceInfo', sn, id, info));
    }
  }

  async close(): Promise<void> {
    for (const session of [...this.sessions.values()]) this.endSession(session);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
