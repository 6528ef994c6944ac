/**
 * A looping video for simulated field units: an H.264 Annex B file (e.g. made once by
 * ffmpeg with `-bf 0`) cut into access units and sent as MPEG-PS over RTP (PT 96), one
 * pack per frame, at a fixed frame rate. As a recording (`durationS`) it can be paused,
 * sought and played faster or slower, and reports its end. With `audio` it also sends a 1 kHz
 * G.711 tone, one audio pack (40 ms at 25 fps) after each video pack, named in the PSM.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { nalType, splitAnnexB } from '../media/annexb.js';
import { g711Tone } from '../media/g711.js';
import { muxPsAudio, muxPsVideo, psToRtp } from '../media/ps-mux.js';

export function accessUnits(annexB: Buffer): { data: Buffer; keyframe: boolean }[] {
  const units: Buffer[][] = [];
  let current: Buffer[] = [];
  let sawSlice = false;
  for (const nal of splitAnnexB(annexB)) {
    const type = nalType(nal);
    const startsUnit =
      type === 9 || (sawSlice && (type === 7 || type === 8 || type === 6 || ((type === 1 || type === 5) && (nal[1]! & 0x80) !== 0)));
    if (startsUnit && current.length > 0) {
      units.push(current);
      current = [];
      sawSlice = false;
    }
    current.push(nal);
    if (type === 1 || type === 5) sawSlice = true;
  }
  if (current.length > 0) units.push(current);
  return units.map((nals) => ({
    data: Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n])),
    keyframe: nals.some((n) => nalType(n) === 5),
  }));
}

export class PsVideoSource {
  private readonly units: { data: Buffer; keyframe: boolean }[];
  private timer: NodeJS.Timeout | undefined;
  private socket: Socket | undefined;
  private send: ((packet: Buffer) => void) | undefined;
  private ssrc = 0;
  private sequence = 0;
  /** Frames sent (drives the RTP timestamp) and the media position in frames (moved by seeks). */
  private sent = 0;
  private position = 0;
  private scale = 1;
  private paused = false;
  packetsSent = 0;
  /** Called once when a finite recording (`durationS`) has been played to its end. */
  onEnd: (() => void) | undefined;
  /** A recording's length, s (playback); undefined: loops forever (live). */
  durationS: number | undefined;

  /** Audio packs sent (with `audio`). */
  audioPacksSent = 0;

  constructor(
    file: string,
    private readonly fps = 25,
    /** G.711 tone beside the video; undefined: video only. */
    private readonly audio?: 'PCMA' | 'PCMU',
  ) {
    this.units = accessUnits(readFileSync(file));
    if (!this.units.some((u) => u.keyframe)) throw new Error(`${file}: no keyframe`);
  }

  /** Sends RTP over UDP from `bindHost` to `host:port`. */
  start(host: string, port: number, ssrc: number, bindHost: string): void {
    this.stop();
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('error', () => undefined);
    socket.bind(0, bindHost, () => this.startWith((packet) => socket.send(packet, port, host), ssrc));
  }

  /** Sends RTP packets through `send` (e.g. RFC 4571 framed over TCP). */
  startWith(send: (packet: Buffer) => void, ssrc: number): void {
    if (this.timer) clearInterval(this.timer);
    this.send = send;
    this.ssrc = ssrc;
    this.schedule();
  }

  /** Where the recording is, s (media time). */
  get positionS(): number {
    return this.position / this.fps;
  }

  get state(): { paused: boolean; scale: number; positionS: number } {
    return { paused: this.paused, scale: this.scale, positionS: this.positionS };
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Jumps to `seconds`, snapped back to a keyframe (as a recorder does) so decoding resumes cleanly. */
  seek(seconds: number): void {
    let position = Math.max(0, Math.round(seconds * this.fps));
    while (position > 0 && !this.units[position % this.units.length]!.keyframe) position -= 1;
    this.position = position;
    this.paused = false;
  }

  /** Playback speed: frames go out `scale` times as often (timestamps stay 1/fps apart, as a device's fast-forward). */
  setScale(scale: number): void {
    this.scale = scale;
    if (this.send) this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), 1000 / (this.fps * this.scale));
  }

  private tick(): void {
    const send = this.send;
    if (!send || this.paused) return;
    if (this.durationS !== undefined && this.position >= this.durationS * this.fps) {
      this.paused = true;
      const end = this.onEnd;
      this.onEnd = undefined;
      end?.();
      return;
    }
    const unit = this.units[this.position % this.units.length]!;
    const timestamp = (this.sent * (90_000 / this.fps)) >>> 0;
    const audioType = this.audio === 'PCMU' ? 0x91 : 0x90;
    this.sendPack(send, muxPsVideo(unit.data, timestamp, unit.keyframe, audioType), timestamp);
    if (this.audio) {
      const samples = 8000 / this.fps;
      const tone = g711Tone(this.audio, 1000, 8000, this.sent * samples, samples);
      this.sendPack(send, muxPsAudio(tone, timestamp), timestamp);
      this.audioPacksSent += 1;
    }
    this.sent += 1;
    this.position += 1;
  }

  private sendPack(send: (packet: Buffer) => void, pack: Buffer, timestamp: number): void {
    for (const packet of psToRtp(pack, timestamp, this.ssrc, this.sequence)) {
      send(packet);
      this.sequence = (this.sequence + 1) & 0xffff;
      this.packetsSent += 1;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.send = undefined;
    this.socket?.close();
    this.socket = undefined;
  }
}
