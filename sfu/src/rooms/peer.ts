/** One participant in a room: its transports, producers and consumers. */
import type { types } from 'mediasoup';
import type { JoinTokenClaims, SfuNotification } from '@cc/protocol';

export type MediaSourceName = 'camera' | 'microphone' | 'screen' | 'device';

export class Peer {
  readonly transports = new Map<string, types.WebRtcTransport>();
  readonly producers = new Map<string, { producer: types.Producer; source: MediaSourceName }>();
  readonly consumers = new Map<string, types.Consumer>();
  rtpCapabilities: types.RtpCapabilities | undefined;

  constructor(
    readonly id: string,
    readonly claims: JoinTokenClaims,
    readonly notify: (message: SfuNotification) => void,
  ) {}

  get info(): { peerId: string; name: string; role: JoinTokenClaims['role']; court?: string } {
    const info: { peerId: string; name: string; role: JoinTokenClaims['role']; court?: string } = {
      peerId: this.id,
      name: this.claims.name,
      role: this.claims.role,
    };
    if (this.claims.court !== undefined) info.court = this.claims.court;
    return info;
  }

  close(): void {
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}
