/**
 * Browser side of the SFU tests, bundled with esbuild and injected into a Chromium page: a
 * thin wrapper over @cc/sfu-client that records what happened for the test to read.
 * `window.ccPeer` is one peer; `window.ccNewPeer()` makes more peers in the same page.
 */
import { SfuClient, SfuClientEvent, type SfuClientOptions } from '@cc/sfu-client';

class TestPeer {
  client!: SfuClient;
  readonly events: string[] = [];
  readonly prompts: { rollCallId: string; court: string }[] = [];
  readonly rollCalls: { done: boolean; rollCall: unknown }[] = [];
  readonly rejoinMs: number[] = [];
  readonly states: string[] = [];
  readonly layouts: { layout: string; focusPeerId: string | null }[] = [];
  mutedByLeader: boolean[] = [];
  readonly speakers: { peerId: string | null; lastN: string[] }[] = [];
  roomState: unknown;

  async join(url: string, token: string, options: Partial<SfuClientOptions> = {}): Promise<string> {
    this.client = await SfuClient.join({ url, token, autoSubscribe: false, ...options });
    const c = this.client;
    const record = (name: string) => () => this.events.push(name);
    c.on(SfuClientEvent.ParticipantJoined, record('participantJoined'));
    c.on(SfuClientEvent.ParticipantLeft, record('participantLeft'));
    c.on(SfuClientEvent.Removed, record('removed'));
    c.on(SfuClientEvent.State, (s) => this.states.push(s));
    c.on(SfuClientEvent.RollCallPrompt, (p) => this.prompts.push(p));
    c.on(SfuClientEvent.RollCallUpdate, (done, rollCall) => this.rollCalls.push({ done, rollCall }));
    c.on(SfuClientEvent.Rejoined, (ms) => this.rejoinMs.push(ms));
    c.on(SfuClientEvent.Layout, (layout, focusPeerId) => this.layouts.push({ layout, focusPeerId }));
    c.on(SfuClientEvent.MutedByLeader, (forced) => this.mutedByLeader.push(forced));
    c.on(SfuClientEvent.RoomState, (s) => (this.roomState = s));
    c.on(SfuClientEvent.Speakers, (peerId, lastN) => this.speakers.push({ peerId, lastN }));
    c.on(SfuClientEvent.TrackAdded, (t) => {
      if (t.kind !== 'video') return;
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.width = 160;
      video.srcObject = new MediaStream([t.track]);
      video.dataset.consumer = t.consumerId;
      document.body.append(video);
    });
    c.on(SfuClientEvent.TrackRemoved, (t) => document.querySelector(`video[data-consumer="${t.consumerId}"]`)?.remove());
    return c.peerId;
  }

  publishCamera(width = 640, height = 360): Promise<string[]> {
    return this.client.publishCamera({ width, height });
  }

  /** Camera from the fake device plus a synthetic microphone: a loud tone or silence. */
  async publishCameraWithTone(loud: boolean, width = 640, height = 360): Promise<void> {
    const video = await navigator.mediaDevices.getUserMedia({ video: { width, height } });
    const context = new AudioContext();
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    gain.gain.value = loud ? 1 : 0;
    const destination = context.createMediaStreamDestination();
    oscillator.connect(gain).connect(destination);
    oscillator.start();
    await this.client.publish(video.getVideoTracks()[0]!, 'camera');
    await this.client.publish(destination.stream.getAudioTracks()[0]!, 'microphone');
  }

  /** Subscribes to every remote producer announced so far; returns how many tracks are received. */
  async consumeAll(): Promise<number> {
    await this.client.subscribeAll();
    return this.client.remoteTracks().length;
  }

  receiveStats(): ReturnType<SfuClient['receiveStats']> {
    return this.client.receiveStats();
  }

  /** Height of the frames each remote video decodes now (0 until the first frame). */
  async videoHeights(): Promise<{ producerId: string; height: number; framesDecoded: number }[]> {
    const out = [];
    for (const t of this.client.remoteTracks()) {
      if (t.kind !== 'video') continue;
      const receiver = (this.client as any).remote.get(t.consumerId).consumer;
      let height = 0;
      let framesDecoded = 0;
      (await receiver.getStats()).forEach((s: any) => {
        if (s.type === 'inbound-rtp') {
          height = s.frameHeight ?? 0;
          framesDecoded = s.framesDecoded ?? 0;
        }
      });
      out.push({ producerId: t.producerId, height, framesDecoded });
    }
    return out;
  }

  /** Runs a client method and returns its result or the error's code. */
  async call(method: string, ...args: unknown[]): Promise<unknown> {
    const [target, name] = method.startsWith('moderation.') ? [this.client.moderation, method.slice(11)] : [this.client, method];
    try {
      return { ok: await (target as any)[name](...args) };
    } catch (error: any) {
      return { error: error.code ?? error.message };
    }
  }
}

(window as any).ccPeer = new TestPeer();
(window as any).ccNewPeer = () => new TestPeer();
