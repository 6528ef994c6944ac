/** One participant in a room (or a device source): its transports, producers and consumers. */
import type { types } from 'mediasoup';
import type { JoinTokenClaims, SfuNotification } from '@cc/protocol';

export type MediaSourceName = 'camera' | 'microphone' | 'screen' | 'device';

export interface ProducerEntry {
  producer: types.Producer;
  source: MediaSourceName;
  /** The participant muted itself (pauseProducer). */
  selfPaused: boolean;
  /**
   * Audio: the pause state last asked of the worker by Room.gateAudio. `producer.paused` changes
   * only when the worker has answered, so two gates in a row (moderated mode on, then the floor
   * given) read a stale flag: the second saw "not paused yet", asked nothing, and the first's pause
   * then silenced the floor holder. Requests on one channel run in order, so the last one asked wins.
   */
  gatePaused: boolean;
}

export interface ConsumerEntry {
  consumer: types.Consumer;
  /** Owner of the producer this consumer receives. */
  producerPeerId: string;
  /** Simulcast layer the tile size asks for (highest when unknown). */
  tileLayer: number;
  /** The tile is hidden (0×0): the consumer stays paused. */
  hidden: boolean;
}

export interface PeerInfo {
  peerId: string;
  name: string;
  role: JoinTokenClaims['role'];
  court?: string;
}

const LEADER_ROLES: ReadonlySet<JoinTokenClaims['role']> = new Set(['leader', 'admin', 'duty_officer']);

export class Peer {
  readonly transports = new Map<string, types.WebRtcTransport>();
  /** Plain RTP transports of a device source (ingest). */
  readonly plainTransports: types.PlainTransport[] = [];
  readonly producers = new Map<string, ProducerEntry>();
  readonly consumers = new Map<string, ConsumerEntry>();
  readonly joinedAt = new Date();
  rtpCapabilities: types.RtpCapabilities | undefined;

  constructor(
    readonly id: string,
    readonly claims: JoinTokenClaims,
    readonly notify: (message: SfuNotification) => void,
    /** Closes the signalling socket with a code (removal, rejoin). */
    readonly disconnect: (code: number, reason: string) => void,
    /** The room's router this peer's transports live on. */
    readonly router: types.Router,
  ) {}

  get isLeader(): boolean {
    return LEADER_ROLES.has(this.claims.role);
  }

  /** A device source or a wall: not a participant for roll calls and moderation. */
  get isService(): boolean {
    return this.claims.role === 'service';
  }

  get info(): PeerInfo {
    const info: PeerInfo = { peerId: this.id, name: this.claims.name, role: this.claims.role };
    if (this.claims.court !== undefined) info.court = this.claims.court;
    return info;
  }

  /** True while this peer sends a live (unpaused) camera. */
  get hasLiveCamera(): boolean {
    return [...this.producers.values()].some((p) => p.source === 'camera' && !p.selfPaused && !p.producer.closed);
  }

  close(): void {
    for (const transport of this.transports.values()) transport.close();
    for (const transport of this.plainTransports) transport.close();
    this.transports.clear();
    this.plainTransports.length = 0;
    this.producers.clear();
    this.consumers.clear();
  }
}
