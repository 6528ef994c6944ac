/**
 * Intercom calls on the console (store `intercom`, 对讲): an outbound call publishes the
 * console's microphone into the device's call room and asks the hub to call; inbound calls
 * (hub event `call.state`, direction inbound, ringing) wait in `incoming` for accept/decline.
 * The intercom's voice is the remote audio track of the call room.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { SfuClientEvent } from '@cc/sfu-client';
import type { HubEventData } from '@cc/protocol';
import { useLinkStore } from './link';
import { mediaDeps, mediaErrorOf, type MediaError, type MediaSession } from './media-session';
import { useSessionStore } from './session';

export interface CallView {
  callId: string;
  deviceId: string;
  /** The device's name when the hub knows one (the banner shows it rather than a 20-digit id). */
  deviceName?: string;
  direction: 'outbound' | 'inbound';
  state: 'ringing' | 'answered' | 'ended';
  reason?: string;
}

const named = (deviceName: string | undefined): { deviceName?: string } => (deviceName ? { deviceName } : {});

const CALL_FAILED = { zh: '通话失败', en: 'The call failed' };

export const useIntercomStore = defineStore('intercom', () => {
  const session = useSessionStore();
  const link = useLinkStore();
  /** The console's own call (one at a time). */
  const current = ref<CallView | null>(null);
  /** Inbound calls ringing, oldest first. */
  const incoming = ref<CallView[]>([]);
  const busy = ref(false);
  const error = ref<MediaError | null>(null);
  const remoteAudio = shallowRef<MediaStreamTrack | null>(null);
  let media: MediaSession | undefined;
  /** Latest state of outbound calls not yet ours: the bridge's event can beat the hub's answer to startCall. */
  const early = new Map<string, HubEventData<'call.state'>>();

  const inCall = computed(() => current.value !== null && current.value.state !== 'ended');

  function dropMedia(): void {
    media?.close();
    media = undefined;
    remoteAudio.value = null;
  }

  /** Joins the device's call room and publishes the microphone; returns the producer id and the device called. */
  async function joinWithMicrophone(deviceId: string): Promise<{ producerId: string; called: string }> {
    const grant = await session.api.callMedia(deviceId);
    const m = await mediaDeps.join({ url: grant.sfuUrl, token: grant.token });
    media = m;
    const microphone = await mediaDeps.microphone();
    const hear = (): void => {
      const voice = m.remoteTracks().find((t) => t.kind === 'audio');
      if (voice) remoteAudio.value = voice.track;
    };
    m.on(SfuClientEvent.TrackAdded, hear);
    hear();
    return { producerId: await m.publish(microphone, 'microphone'), called: grant.deviceId };
  }

  async function run(work: () => Promise<void>): Promise<boolean> {
    busy.value = true;
    error.value = null;
    try {
      await work();
      return true;
    } catch (e) {
      error.value = mediaErrorOf(e, CALL_FAILED);
      dropMedia();
      return false;
    } finally {
      busy.value = false;
    }
  }

  /** Calls a device (the alarm's field unit or an intercom), logged on the incident if given. */
  function start(deviceId: string, incidentId?: string): Promise<boolean> {
    if (inCall.value || busy.value) return Promise.resolve(false);
    return run(async () => {
      const { producerId, called } = await joinWithMicrophone(deviceId);
      const call = await session.api.startCall({ deviceId, consoleProducerId: producerId, ...(incidentId ? { incidentId } : {}) });
      current.value = {
        callId: call.callId,
        deviceId: call.deviceId || called,
        ...(call.deviceName ? { deviceName: call.deviceName } : {}),
        direction: 'outbound',
        state: call.state,
      };
      const raced = early.get(call.callId);
      early.clear();
      if (raced) onCallState(raced);
    });
  }

  function accept(callId: string): Promise<boolean> {
    const ringing = incoming.value.find((c) => c.callId === callId);
    if (!ringing || inCall.value || busy.value) return Promise.resolve(false);
    return run(async () => {
      const { producerId } = await joinWithMicrophone(ringing.deviceId);
      const call = await session.api.answerCall(callId, producerId);
      incoming.value = incoming.value.filter((c) => c.callId !== callId);
      current.value = { ...ringing, state: call.state };
    });
  }

  function decline(callId: string): Promise<boolean> {
    return run(async () => {
      await session.api.hangUp(callId);
      incoming.value = incoming.value.filter((c) => c.callId !== callId);
    });
  }

  function hangUp(): Promise<boolean> {
    const call = current.value;
    if (!call) return Promise.resolve(false);
    return run(async () => {
      try {
        await session.api.hangUp(call.callId);
      } finally {
        dropMedia();
        if (current.value?.callId === call.callId) current.value = { ...call, state: 'ended', reason: 'hangup' };
      }
    });
  }

  /** Forgets an ended call (the panel's close button). */
  function dismiss(): void {
    if (current.value?.state === 'ended') current.value = null;
  }

  /** Per call list request in flight: calls whose state events told meanwhile (newer than its answer). */
  const heardDuringLoad = new Set<Set<string>>();

  function onCallState(data: HubEventData<'call.state'>): void {
    heardDuringLoad.forEach((heard) => heard.add(data.callId));
    if (current.value?.callId === data.callId) {
      current.value = { ...current.value, state: data.state, ...(data.reason ? { reason: data.reason } : {}) };
      if (data.state === 'ended') dropMedia();
      return;
    }
    if (data.direction !== 'inbound') {
      if (busy.value) early.set(data.callId, data);
      return;
    }
    const others = incoming.value.filter((c) => c.callId !== data.callId);
    incoming.value =
      data.state === 'ringing'
        ? [...others, { callId: data.callId, deviceId: data.deviceId, ...named(data.deviceName), direction: 'inbound', state: 'ringing' }]
        : others;
  }

  /** Inbound calls already ringing at the bridge (after a reload or a resync). */
  async function load(): Promise<void> {
    // A call that rang or ended while the list was on its way is as its event said, not as the list.
    const heard = new Set<string>();
    heardDuringLoad.add(heard);
    try {
      const calls = await session.api.calls();
      const ringing = calls.filter((c) => c.direction === 'inbound' && c.state === 'ringing' && !heard.has(c.callId));
      const known = new Set(incoming.value.map((c) => c.callId));
      const added = ringing
        .filter((c) => !known.has(c.callId) && c.callId !== current.value?.callId)
        .map((c): CallView => ({ callId: c.callId, deviceId: c.deviceId, ...named(c.deviceName), direction: 'inbound', state: 'ringing' }));
      const kept = incoming.value.filter((c) => heard.has(c.callId) || ringing.some((r) => r.callId === c.callId));
      incoming.value = [...kept, ...added];
    } catch {
      // The bridge is down: no call can ring anyway; events bring the next ones.
    } finally {
      heardDuringLoad.delete(heard);
    }
  }

  /** Listens for call state (and loads what rings now); the returned stop also forgets every call (sign-out). */
  function follow(): () => void {
    const off = link.on('call.state', onCallState);
    const offResync = link.onResync(() => void load());
    void load();
    return () => {
      off();
      offResync();
      dropMedia();
      current.value = null;
      incoming.value = [];
      error.value = null;
    };
  }

  return { current, incoming, busy, error, remoteAudio, inCall, start, accept, decline, hangUp, dismiss, load, follow };
});
