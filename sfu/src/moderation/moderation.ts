/** The leader's moderation actions on a room: floor, moderated mode, mutes, lock, removal, layout. */
import { ErrorCode, ProtocolError, SFU_CLOSE_REMOVED, type Layout } from '@cc/protocol';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';

export function requireLeader(peer: Peer): void {
  if (!peer.isLeader) throw new ProtocolError(ErrorCode.Forbidden, { reason: 'only a leader may moderate' });
}

export function giveFloor(room: Room, peerId: string): void {
  room.peer(peerId);
  room.state.floorPeerId = peerId;
  room.state.handsRaised = room.state.handsRaised.filter((id) => id !== peerId);
  room.stateChanged();
}

export function takeFloor(room: Room): void {
  room.state.floorPeerId = null;
  room.stateChanged();
}

export function setModerated(room: Room, enabled: boolean): void {
  room.state.moderated = enabled;
  room.stateChanged();
}

/** Mutes every participant's microphone (not the leaders'); they may unmute themselves. */
export function muteAll(room: Room): number {
  let muted = 0;
  for (const peer of room.peers.values()) {
    if (peer.isLeader || peer.isService) continue;
    for (const entry of peer.producers.values()) {
      if (entry.producer.kind !== 'audio' || entry.selfPaused) continue;
      entry.selfPaused = true;
      muted++;
    }
    peer.notify({ type: 'notification', event: 'mutedByLeader', data: { forced: false } });
  }
  room.stateChanged();
  return muted;
}

/** A forced mute the participant cannot lift; it may only raise its hand. */
export function forceMute(room: Room, peerId: string, muted: boolean): void {
  const peer = room.peer(peerId);
  const list = room.state.forcedMuted.filter((id) => id !== peerId);
  if (muted) list.push(peerId);
  room.state.forcedMuted = list;
  if (muted) peer.notify({ type: 'notification', event: 'mutedByLeader', data: { forced: true } });
  room.stateChanged();
}

export function lockRoom(room: Room, locked: boolean): void {
  room.state.locked = locked;
  room.stateChanged();
}

/** Removes a participant; its join token (subject) cannot rejoin this session. */
export function removePeer(room: Room, by: Peer, peerId: string): Peer {
  const peer = room.peer(peerId);
  if (peer === by) throw new ProtocolError(ErrorCode.BadRequest, { reason: 'cannot remove yourself' });
  room.memory.bannedSubs.add(peer.claims.sub);
  peer.notify({ type: 'notification', event: 'removed', data: { reason: `removed by ${by.claims.name}` } });
  peer.disconnect(SFU_CLOSE_REMOVED, 'removed by the leader');
  return peer;
}

export function setLayout(room: Room, layout: Layout, focusPeerId: string | null): void {
  if (focusPeerId !== null) room.peer(focusPeerId);
  room.state.layout = layout;
  room.state.focusPeerId = focusPeerId;
  room.broadcast({ type: 'notification', event: 'layoutChanged', data: { layout, focusPeerId } });
  room.stateChanged();
}

export function raiseHand(room: Room, peer: Peer, raised: boolean): void {
  const list = room.state.handsRaised.filter((id) => id !== peer.id);
  if (raised) list.push(peer.id);
  room.state.handsRaised = list;
  room.stateChanged();
}

/** Self-mute / unmute of one of the peer's own producers. A forced-muted microphone stays muted. */
export function setSelfPaused(room: Room, peer: Peer, producerId: string, paused: boolean): void {
  const entry = peer.producers.get(producerId);
  if (!entry) throw new ProtocolError(ErrorCode.NotFound, { producerId });
  if (!paused && entry.producer.kind === 'audio' && room.state.forcedMuted.includes(peer.id)) {
    throw new ProtocolError(ErrorCode.MutedByLeader);
  }
  entry.selfPaused = paused;
  if (entry.producer.kind === 'audio') room.gateAudio();
  else if (paused) void entry.producer.pause();
  else void entry.producer.resume();
}
