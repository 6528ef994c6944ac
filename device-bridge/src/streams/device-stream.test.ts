import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@cc/runtime';
import { g711Tone, ulawToAlaw } from '../media/g711.js';
import { muxPsAudio, muxPsVideo, psToRtp } from '../media/ps-mux.js';
import { parseRtp, type RtpPacket } from '../media/rtp.js';
import { DeviceStream } from './device-stream.js';
import { UdpInput } from './media-input.js';

const logger = createLogger('test', 'silent');
const bound = (): Promise<{ socket: Socket; port: number }> =>
  new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => resolve({ socket, port: socket.address().port }));
  });
const until = async (probe: () => boolean): Promise<void> => {
  while (!probe()) await new Promise((resolve) => setTimeout(resolve, 10));
};
const KEYFRAME = Buffer.from([0, 0, 0, 1, 0x67, 0x42, 0xe0, 0x1f, 0, 0, 0, 1, 0x68, 0xce, 0, 0, 0, 1, 0x65, 0x88, 0x84, 0x21]);

describe('device stream audio (real UDP sockets on loopback)', () => {
  const sockets: Socket[] = [];
  let stream: DeviceStream | undefined;
  afterEach(async () => {
    await stream?.close();
    stream = undefined;
    for (const s of sockets.splice(0)) s.close();
  });

  it('sends PS G.711 to the audio track as PCMA (µ-law re-coded), drops audio before the PSM, counts AAC', async () => {
    const media = await bound();
    const [videoSink, audioSink, device] = await Promise.all([bound(), bound(), bound()]);
    sockets.push(videoSink.socket, audioSink.socket, device.socket);
    const video: RtpPacket[] = [];
    const audio: RtpPacket[] = [];
    videoSink.socket.on('message', (m) => video.push(parseRtp(m)!));
    audioSink.socket.on('message', (m) => audio.push(parseRtp(m)!));
    stream = new DeviceStream(
      media.socket,
      media.port,
      { ip: '127.0.0.1', port: videoSink.port, ssrc: 11, payloadType: 102 },
      logger,
      () => undefined,
      { ip: '127.0.0.1', port: audioSink.port, ssrc: 22, payloadType: 8 },
    );
    stream.attach(new UdpInput(media.socket));
    let sequence = 0;
    const send = (pack: Buffer, timestamp: number): void => {
      for (const p of psToRtp(pack, timestamp, 5, sequence)) {
        device.socket.send(p, media.port, '127.0.0.1');
        sequence += 1;
      }
    };
    const tone = g711Tone('PCMU', 1000, 8000, 0, 1000);
    send(muxPsAudio(tone, 0), 0); // no PSM yet: codec unknown
    send(muxPsVideo(KEYFRAME, 3600, true, 0x91), 3600);
    send(muxPsAudio(tone, 3600), 3600);
    await until(() => audio.length === 4 && video.length > 0);
    expect(audio.map((p) => p.payloadType)).toEqual([8, 8, 8, 8]);
    expect(audio.every((p) => p.ssrc === 22)).toBe(true);
    expect(Buffer.concat(audio.map((p) => p.payload))).toEqual(ulawToAlaw(tone));
    expect(audio[0]!.marker).toBe(true);

    send(muxPsVideo(KEYFRAME, 7200, true, 0x0f), 7200); // the PSM now says AAC
    send(muxPsAudio(Buffer.alloc(200, 1), 7200), 7200);
    send(muxPsVideo(KEYFRAME, 10_800, false), 10_800);
    await until(() => stream!.stats.framesOut === 3);
    expect(stream.stats).toMatchObject({ audioFramesOut: 1, audioPacketsOut: 4, audioRecoded: 1, audioUnknown: 1, nonG711: 1 });
    expect(audio.length).toBe(4);
  });
});
