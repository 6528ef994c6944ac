/** RTP parameters of an ingest producer for each codec the bridge may send. */
import type { types } from 'mediasoup';
import type { z } from 'zod';
import type { ingestAudioTrackSchema, ingestVideoTrackSchema } from '@cc/protocol';

type VideoTrack = z.infer<typeof ingestVideoTrackSchema>;
type AudioTrack = z.infer<typeof ingestAudioTrackSchema>;

export function videoRtpParameters(track: VideoTrack): types.RtpParameters {
  const codec: types.RtpCodecParameters =
    track.codec === 'H264'
      ? {
          mimeType: 'video/H264',
          payloadType: track.payloadType,
          clockRate: 90000,
          parameters: { 'packetization-mode': 1, 'profile-level-id': track.profileLevelId.toLowerCase(), 'level-asymmetry-allowed': 1 },
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
        }
      : {
          mimeType: 'video/VP8',
          payloadType: track.payloadType,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
        };
  return { codecs: [codec], encodings: [{ ssrc: track.ssrc }] };
}

const AUDIO = {
  PCMA: { mimeType: 'audio/PCMA', payloadType: 8, clockRate: 8000, channels: 1 },
  PCMU: { mimeType: 'audio/PCMU', payloadType: 0, clockRate: 8000, channels: 1 },
  opus: { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 },
} as const;

export function audioRtpParameters(track: AudioTrack): types.RtpParameters {
  const base = AUDIO[track.codec];
  return { codecs: [{ ...base, payloadType: track.payloadType ?? base.payloadType }], encodings: [{ ssrc: track.ssrc }] };
}

/** Receive capabilities asking for exactly one audio codec (for the intercom listen leg). */
export function audioCapabilities(router: types.Router, codec: keyof typeof AUDIO): types.RtpCapabilities {
  const mimeType = AUDIO[codec].mimeType.toLowerCase();
  return { codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === mimeType), headerExtensions: [] };
}
