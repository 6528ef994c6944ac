/**
 * A looping video for simulated field units: an H.264 Annex B file (e.g. made once by
 * ffmpeg with `-bf 0`) cut into access units and sent as MPEG-PS over RTP (PT 96), one
 * pack per frame, at a fixed frame rate.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { nalType, splitAnnexB } from '../media/annexb.js';
import { muxPsVideo, psToRtp } from '../media/ps-mux.js';

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
  packetsSent = 0;

  constructor(
    file: string,
    private readonly fps = 25,
  ) {
    this.units = accessUnits(readFileSync(file));
    if (!this.units.some((u) => u.keyframe)) throw new Error(`${file}: no keyframe`);
  }

  start(host: string, port: number, ssrc: number, bindHost: string): void {
    this.stop();
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('error', () => undefined);
    let frame = 0;
    let sequence = 0;
    socket.bind(0, bindHost, () => {
      this.timer = setInterval(() => {
        const unit = this.units[frame % this.units.length]!;
        const timestamp = (frame * (90_000 / this.fps)) >>> 0;
        for (const packet of psToRtp(muxPsVideo(unit.data, timestamp, unit.keyframe), timestamp, ssrc, sequence)) {
          socket.send(packet, port, host);
          sequence = (sequence + 1) & 0xffff;
          this.packetsSent += 1;
        }
        frame += 1;
      }, 1000 / this.fps);
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.socket?.close();
    this.socket = undefined;
  }
}
