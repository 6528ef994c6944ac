/** Typed handlers for moderation, roll call and recording requests (leaders) and hands/answers (everyone). */
import * as moderation from '../moderation/moderation.js';
import { answerRollCall, startRollCall } from '../rollcall/roll-call.js';
import type { HandlerMap } from './handler-map.js';
import type { Session } from './session.js';

type ModerationRequest =
  | 'giveFloor'
  | 'takeFloor'
  | 'setModerated'
  | 'muteAll'
  | 'forceMute'
  | 'lockRoom'
  | 'removePeer'
  | 'setLayout'
  | 'startRollCall'
  | 'startRecording'
  | 'stopRecording'
  | 'raiseHand'
  | 'answerRollCall';

function leader(session: Session): ReturnType<Session['joined']> {
  const joined = session.joined();
  moderation.requireLeader(joined.peer);
  return joined;
}

export const moderationHandlers: Pick<HandlerMap, ModerationRequest> = {
  async giveFloor(session, data) {
    moderation.giveFloor(leader(session).room, data.peerId);
    return {};
  },
  async takeFloor(session) {
    moderation.takeFloor(leader(session).room);
    return {};
  },
  async setModerated(session, data) {
    moderation.setModerated(leader(session).room, data.enabled);
    return {};
  },
  async muteAll(session) {
    return { muted: moderation.muteAll(leader(session).room) };
  },
  async forceMute(session, data) {
    moderation.forceMute(leader(session).room, data.peerId, data.muted);
    return {};
  },
  async lockRoom(session, data) {
    moderation.lockRoom(leader(session).room, data.locked);
    return {};
  },
  async removePeer(session, data) {
    const { room, peer } = leader(session);
    moderation.removePeer(room, peer, data.peerId);
    return {};
  },
  async setLayout(session, data) {
    moderation.setLayout(leader(session).room, data.layout, data.focusPeerId);
    return {};
  },
  async startRollCall(session, data) {
    const { room, peer } = leader(session);
    return startRollCall(room, peer, data, (record) => session.context.records.send(record));
  },
  async startRecording(session) {
    const { room, peer } = leader(session);
    return session.context.recordings.start(room, peer);
  },
  async stopRecording(session) {
    const { room } = leader(session);
    return session.context.recordings.stop(room);
  },
  async raiseHand(session, data) {
    const { room, peer } = session.joined();
    moderation.raiseHand(room, peer, data.raised);
    return {};
  },
  async answerRollCall(session, data) {
    const { room, peer } = session.joined();
    return { status: answerRollCall(room, peer, data.rollCallId) };
  },
};
