/** Intercom calls put together: the call manager, inbound calls, and their SIP hooks on the bridge's stack. */
import type { CallInfo } from '@cc/protocol';
import type { CallSipHooks } from '../gb28181/server.js';
import { CallManager, type CallManagerDeps } from './call-manager.js';
import { InboundCalls } from './inbound.js';

export interface IntercomCalls {
  start(body: { deviceId: string; consoleProducerId?: string; room?: string }): Promise<CallInfo>;
  answer(callId: string, body: { consoleProducerId?: string; room?: string }): Promise<CallInfo>;
  hangUp(callId: string): CallInfo;
  list(): CallInfo[];
  stats(): { active: number; transcoders: number; packetsFromIntercom: number; packetsToIntercom: number };
  close(): Promise<void>;
}

export function createIntercomCalls(deps: CallManagerDeps, hooks: CallSipHooks): IntercomCalls {
  const manager = new CallManager(deps);
  const inbound = new InboundCalls(manager);
  hooks.invite = (request, remote) => inbound.onInvite(request, remote);
  hooks.cancel = (request) => inbound.onCancel(request);
  hooks.ack = (request) => inbound.onAck(request);
  hooks.bye = (request) => manager.onBye(request);
  return {
    start: (body) => manager.start(body),
    answer: (callId, body) => inbound.answer(callId, body),
    hangUp: (callId) => manager.hangUp(callId),
    list: () => manager.list(),
    stats: () => {
      const media = [...manager.calls.values()].map((c) => c.media.stats);
      const sum = (pick: (m: (typeof media)[number]) => number): number => media.reduce((total, m) => total + pick(m), 0);
      return {
        active: media.length,
        transcoders: media.filter((m) => m.transcoderPid !== undefined).length,
        /** RTP packets of active calls: intercom → SFU and console (transcoded) → intercom. */
        packetsFromIntercom: sum((m) => m.fromIntercom),
        packetsToIntercom: sum((m) => m.toIntercom),
      };
    },
    close: async () => {
      hooks.invite = hooks.cancel = hooks.ack = hooks.bye = undefined;
      await manager.close();
    },
  };
}
