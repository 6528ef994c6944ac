/** One signalling WebSocket: parses every frame at the edge, runs the typed handler, answers. */
import type { WebSocket } from 'ws';
import {
  ErrorCode,
  ProtocolError,
  SFU_CLOSE_REJOIN,
  describeIssues,
  sfuRequestEnvelopeSchema,
  sfuRequestSchemas,
  sfuResponseSchemas,
  type SfuNotification,
  type SfuRequestType,
  type SfuResponseData,
} from '@cc/protocol';
import { verifyJoinToken } from '@cc/runtime';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import type { SfuContext } from './context.js';
import { handlers } from './handlers.js';

/** Requests waiting on one socket; beyond this the client is flooding. */
const MAX_QUEUED = 64;

function isRequestType(type: string): type is SfuRequestType {
  return Object.hasOwn(sfuRequestSchemas, type);
}

export class Session {
  private room: Room | undefined;
  private peer: Peer | undefined;
  /** Requests run one at a time per socket, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(
    private readonly socket: WebSocket,
    readonly context: SfuContext,
  ) {
    socket.on('message', (raw, isBinary) => {
      if (this.queued >= MAX_QUEUED) {
        this.send({ type: 'response', id: null, ok: false, error: new ProtocolError(ErrorCode.RateLimited).toWire() });
        return;
      }
      this.queued++;
      this.queue = this.queue.then(() => this.handle(raw.toString(), isBinary)).finally(() => this.queued--);
    });
    socket.on('close', () => this.leave());
  }

  private send(message: unknown): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private async handle(text: string, isBinary: boolean): Promise<void> {
    let requestId: number | null = null;
    try {
      if (isBinary) throw new ProtocolError(ErrorCode.BadRequest, { reason: 'binary frames are not accepted' });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new ProtocolError(ErrorCode.BadRequest, { reason: 'not JSON' });
      }
      const envelope = sfuRequestEnvelopeSchema.safeParse(json);
      if (!envelope.success) throw new ProtocolError(ErrorCode.BadRequest, { issues: describeIssues(envelope.error) });
      requestId = envelope.data.id;
      const { type } = envelope.data;
      if (!isRequestType(type)) throw new ProtocolError(ErrorCode.UnknownMessageType, { type });
      const data = sfuRequestSchemas[type].safeParse(envelope.data.data);
      if (!data.success) throw new ProtocolError(ErrorCode.ValidationFailed, { issues: describeIssues(data.error) });
      const handler = handlers[type] as (s: Session, d: unknown) => Promise<unknown>;
      const result = sfuResponseSchemas[type].parse(await handler(this, data.data));
      this.send({ type: 'response', id: requestId, ok: true, data: result });
    } catch (error) {
      const protocolError = error instanceof ProtocolError ? error : new ProtocolError(ErrorCode.Internal, undefined, { cause: error });
      if (protocolError.code === ErrorCode.Internal) this.context.logger.error({ err: error }, 'request failed');
      this.send({ type: 'response', id: requestId, ok: false, error: protocolError.toWire() });
    }
  }

  async join(token: string): Promise<SfuResponseData<'join'>> {
    if (this.peer) throw new ProtocolError(ErrorCode.OutOfOrder, { reason: 'already joined' });
    const claims = verifyJoinToken(this.context.joinKey, token);
    const room = await this.context.rooms.get(claims.room);
    const router = await room.placePeer();
    const peer = room.join(
      claims,
      (message: SfuNotification) => this.send(message),
      (code, reason) => {
        this.leave();
        this.socket.close(code, reason);
      },
      router,
    );
    this.room = room;
    this.peer = peer;
    return {
      peerId: peer.id,
      routerRtpCapabilities: { ...room.router.rtpCapabilities },
      peers: [...room.peers.values()].filter((p) => p !== peer).map((p) => p.info),
      producers: room.producerList().filter((p) => p.peerId !== peer.id),
      roomState: room.state,
    };
  }

  joined(): { room: Room; peer: Peer } {
    if (!this.room || !this.peer) throw new ProtocolError(ErrorCode.OutOfOrder, { reason: 'join first' });
    return { room: this.room, peer: this.peer };
  }

  leave(): void {
    const { room, peer } = this;
    this.room = undefined;
    this.peer = undefined;
    if (!room || !peer) return;
    room.leave(peer);
    this.context.rooms.release(room);
  }

  /** The room went away with its worker: tell the client to rejoin. */
  dropForRejoin(): void {
    this.room = undefined;
    this.peer = undefined;
    this.send({ type: 'notification', event: 'rejoin', data: { reason: 'media worker restarted' } });
    this.socket.close(SFU_CLOSE_REJOIN, 'media worker restarted: rejoin');
  }

  get roomId(): string | undefined {
    return this.room?.id;
  }
}
