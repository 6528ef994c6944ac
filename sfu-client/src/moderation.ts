/** The leader's controls (and everyone's hand/answer), as typed calls over the signalling channel. */
import type { Layout, SfuRequestData, SfuRequestType, SfuResponseData } from '@cc/protocol';

type Request = <T extends SfuRequestType>(type: T, data: SfuRequestData<T>) => Promise<SfuResponseData<T>>;

export class Moderation {
  constructor(private readonly request: Request) {}

  giveFloor(peerId: string): Promise<unknown> {
    return this.request('giveFloor', { peerId });
  }
  takeFloor(): Promise<unknown> {
    return this.request('takeFloor', {});
  }
  setModerated(enabled: boolean): Promise<unknown> {
    return this.request('setModerated', { enabled });
  }
  async muteAll(): Promise<number> {
    return (await this.request('muteAll', {})).muted;
  }
  forceMute(peerId: string, muted = true): Promise<unknown> {
    return this.request('forceMute', { peerId, muted });
  }
  lockRoom(locked: boolean): Promise<unknown> {
    return this.request('lockRoom', { locked });
  }
  removePeer(peerId: string): Promise<unknown> {
    return this.request('removePeer', { peerId });
  }
  setLayout(layout: Layout, focusPeerId: string | null = null): Promise<unknown> {
    return this.request('setLayout', { layout, focusPeerId });
  }
  startRollCall(options: SfuRequestData<'startRollCall'>): Promise<SfuResponseData<'startRollCall'>> {
    return this.request('startRollCall', options);
  }
  startRecording(): Promise<SfuResponseData<'startRecording'>> {
    return this.request('startRecording', {});
  }
  stopRecording(): Promise<SfuResponseData<'stopRecording'>> {
    return this.request('stopRecording', {});
  }
}
