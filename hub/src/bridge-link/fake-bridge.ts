/**
 * Test support, a fake device bridge: a small HTTP server that speaks the bridge's control
 * route table (checking the service authorization, params and bodies with the protocol's
 * schemas) and records each command. Tests that use it say "fake bridge" in their names;
 * the real bridge is exercised end to end in tests/e2e/console-live-video.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProtocolError, bridgeCommandRoutes, type BridgeCommandName } from '@cc/protocol';
import { verifyServiceAuthorization } from '@cc/runtime';

export interface RecordedCommand {
  name: BridgeCommandName;
  params: Record<string, string>;
  body: Record<string, unknown>;
}

type Answer = (command: RecordedCommand) => unknown;

const DEFAULTS: Partial<Record<BridgeCommandName, Answer>> = {
  provisionDevice: (c) => ({ deviceId: c.params.deviceId, kind: c.body.kind, online: false, registered: false }),
  removeDevice: () => ({}),
  startStream: (c) => ({
    streamId: `${String(c.body.deviceId)}:${String(c.body.channelId)}`,
    state: 'live',
    room: `live:${String(c.body.deviceId)}:${String(c.body.channelId)}`,
    videoProducerId: 'producer-video-1',
    viewers: 1,
  }),
  leaveStream: (c) => ({ streamId: c.params.streamId, state: 'live', viewers: 0 }),
  ptz: () => ({}),
  queryRecords: (c) => ({
    records: [{ channelId: c.body.channelId, startTime: c.body.startTime, endTime: c.body.endTime, type: 'time' }],
    complete: true,
  }),
  playbackControl: (c) => ({ streamId: c.params.streamId, state: 'live', viewers: 1 }),
  startCall: (c) => ({ callId: 'call-1', state: 'ringing', deviceId: c.body.deviceId, direction: 'outbound', room: c.body.room }),
  answerCall: (c) => ({ callId: c.params.callId, state: 'answered', deviceId: '1001', direction: 'inbound' }),
  listCalls: () => ({ calls: [{ callId: 'in-1', state: 'ringing', deviceId: '1001', direction: 'inbound', room: 'intercom:1001' }] }),
  hangUp: (c) => ({ callId: c.params.callId, state: 'ended', deviceId: '1001' }),
};

export class FakeBridge {
  readonly commands: RecordedCommand[] = [];
  /** Answers replacing the defaults (throw a ProtocolError to answer with an error). */
  readonly answers: Partial<Record<BridgeCommandName, Answer>> = {};
  /** Viewers by stream, as startStream / leaveStream / dropViewers left them (a restart empties them). */
  readonly viewers = new Map<string, Set<string>>();
  /** Changes on every start, as a real bridge's pid would. */
  pid = 1000;
  private server: Server | undefined;
  private startedAt = Date.now();

  private constructor(
    private readonly key: Buffer,
    public port: number,
  ) {}

  /** A fake bridge on a free port, answering at once, or (`serving: false`) down until `restart()`. */
  static async start(key: Buffer, options: { serving?: boolean } = {}): Promise<FakeBridge> {
    const fake = new FakeBridge(key, 0);
    fake.port = await fake.listen(0);
    if (options.serving === false) await fake.stop();
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  of(name: BridgeCommandName): RecordedCommand[] {
    return this.commands.filter((c) => c.name === name);
  }

  private listen(port: number): Promise<number> {
    this.server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () => {
        const { status, body } = this.handle(request.method ?? 'GET', request.url ?? '/', request.headers.authorization, raw);
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });
    });
    return new Promise((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve((this.server!.address() as AddressInfo).port)));
  }

  private handle(method: string, url: string, authorization: string | undefined, raw: string): { status: number; body: unknown } {
    if (url === '/healthz')
      return {
        status: 200,
        body: { status: 'ok', service: 'device-bridge', version: 'fake', pid: this.pid, uptimeS: (Date.now() - this.startedAt) / 1000 },
      };
    try {
      verifyServiceAuthorization(this.key, authorization);
      for (const name of Object.keys(bridgeCommandRoutes) as BridgeCommandName[]) {
        const route = bridgeCommandRoutes[name];
        const pattern = new RegExp(`^${route.path.replace(/:([A-Za-z]+)/g, '(?<$1>[^/]+)')}$`);
        const match = route.method === method ? pattern.exec(url) : null;
        if (!match) continue;
        const params = Object.fromEntries(Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
        const command: RecordedCommand = {
          name,
          params: route.params.parse(params) as Record<string, string>,
          body: route.body.parse(raw ? JSON.parse(raw) : {}) as Record<string, unknown>,
        };
        this.commands.push(command);
        this.track(command);
        const own: Partial<Record<BridgeCommandName, Answer>> = {
          dropViewers: (cmd) => this.dropViewers(cmd),
          listStreams: () => this.listStreams(),
        };
        const answer = this.answers[name] ?? own[name] ?? DEFAULTS[name];
        return { status: 200, body: answer ? answer(command) : {} };
      }
      return { status: 404, body: { error: { code: 'not_found', message: '对象不存在', messageEn: 'Not found' } } };
    } catch (error) {
      if (error instanceof ProtocolError) return { status: error.code === 'not_found' ? 404 : 400, body: { error: error.toWire() } };
      return { status: 400, body: { error: { code: 'validation_failed', message: '数据校验未通过', messageEn: String(error) } } };
    }
  }

  /** Keeps `viewers` as a real bridge would. */
  private track(c: RecordedCommand): void {
    if (c.name === 'startStream') {
      const id = `${String(c.body.deviceId)}:${String(c.body.channelId)}`;
      this.viewers.set(id, (this.viewers.get(id) ?? new Set()).add(String(c.body.viewerId)));
    }
    if (c.name === 'leaveStream') this.viewers.get(c.params.streamId!)?.delete(c.params.viewerId!);
  }

  private dropViewers(c: RecordedCommand): unknown {
    const keep = new Set(c.body.keep as string[]);
    const dropped: { streamId: string; viewerId: string }[] = [];
    for (const [streamId, ids] of this.viewers)
      for (const viewerId of [...ids])
        if (viewerId.startsWith(String(c.body.prefix)) && !keep.has(viewerId)) {
          ids.delete(viewerId);
          dropped.push({ streamId, viewerId });
        }
    return { dropped };
  }

  private listStreams(): unknown {
    return {
      streams: [...this.viewers].map(([streamId, ids]) => {
        const [deviceId = '', channelId = ''] = streamId.split(':');
        return { streamId, deviceId, channelId, mode: 'live', state: 'live', viewerIds: [...ids] };
      }),
    };
  }

  /** Stops answering (the bridge is down). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Starts again on the same port as a new process (new pid, uptime from zero). */
  async restart(): Promise<void> {
    await this.stop();
    this.pid += 1;
    this.startedAt = Date.now();
    this.viewers.clear();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.stop();
  }
}
