/**
 * The seam between the console's stores and the SFU: a joined room (live view or intercom
 * call) as the stores use it. Production joins through @cc/sfu-client; store tests swap
 * `mediaDeps` for fakes (the real SFU is exercised by tests/e2e/console-live-video.test.ts).
 */
import { SfuClient } from '@cc/sfu-client';
import { ApiError } from '../api/client';

export type MediaSession = Pick<SfuClient, 'on' | 'remoteTracks' | 'publish' | 'close' | 'peerId'>;

export const mediaDeps: {
  join: (options: { url: string; token: string; refreshToken?: () => Promise<string> }) => Promise<MediaSession>;
  microphone: () => Promise<MediaStreamTrack>;
} = {
  join: (options) => SfuClient.join({ ...options, autoSubscribe: true }),
  microphone: async () => {
    const [track] = (await navigator.mediaDevices.getUserMedia({ audio: true, video: false })).getAudioTracks();
    if (!track) throw new Error('no microphone');
    return track;
  },
};

/** Both catalog messages of a failure: the hub's own, or a local one for SFU/microphone failures. */
export interface MediaError {
  code: string;
  messageZh: string;
  messageEn: string;
}

export function mediaErrorOf(error: unknown, fallback: { zh: string; en: string }): MediaError {
  if (error instanceof ApiError) return { code: error.code, messageZh: error.messageZh, messageEn: error.messageEn };
  const detail = error instanceof Error ? error.message : String(error);
  return { code: 'media', messageZh: `${fallback.zh}（${detail}）`, messageEn: `${fallback.en} (${detail})` };
}
