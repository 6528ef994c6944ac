/** Server-side recordings per room (started and stopped by the leader). */
import { ErrorCode, ProtocolError } from '@cc/protocol';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';

export class Recordings {
  async start(_room: Room, _by: Peer): Promise<{ recordingId: string }> {
    throw new ProtocolError(ErrorCode.Unavailable, { reason: 'recording is not available yet' });
  }

  async stop(_room: Room): Promise<{ recordingId: string; files: number }> {
    throw new ProtocolError(ErrorCode.NotFound, { reason: 'no recording running' });
  }

  close(): void {}
}
