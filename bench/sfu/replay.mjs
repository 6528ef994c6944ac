// Replays a pre-encoded clip as an RTP stream with its own SSRC, in real time, looping; a PLI
// or FIR from the SFU makes it jump to the next keyframe (as a real encoder would send one).
import { createSocket } from 'node:dgram';

export class Replayer {
  constructor(clip, { ssrc, payloadType, probe = false }) {
    Object.assign(this, { clip, ssrc, payloadType, probe });
    this.socket = createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
    this.seq = Math.floor(Math.random() * 30000);
    this.index = 0;
    this.loopStartMs = 0;
    this.baseTs = Math.floor(Math.random() * 1e9);
    this.sent = 0;
    this.sentAt = new Map();
    this.counter = 0;
    this.socket.on('message', (m) => this.onRtcp(m));
  }

  async bind() {
    await new Promise((r) => this.socket.bind(0, '127.0.0.1', r));
  }

  /** RTCP from the SFU (rtcpMux): PT 206 FMT 1 = PLI, FMT 4 = FIR → next frame is a keyframe. */
  onRtcp(buffer) {
    for (let offset = 0; offset + 4 <= buffer.length;) {
      const fmt = buffer[offset] & 0x1f;
      const pt = buffer[offset + 1];
      if (pt === 206 && (fmt === 1 || fmt === 4)) this.keyframeWanted = true;
      offset += (buffer.readUInt16BE(offset + 2) + 1) * 4;
    }
  }

  start(ip, port, nowMs) {
    Object.assign(this, { ip, port, loopStartMs: nowMs, running: true });
  }

  jumpToKeyframe(nowMs) {
    const frames = this.clip.frames;
    let i = this.index;
    for (let n = 0; n < frames.length && !frames[i].key; n++) i = (i + 1) % frames.length;
    if (!frames[i].key) return;
    // Re-anchor the loop so frame i is due now.
    this.loopStartMs = nowMs - frames[i].atMs;
    this.index = i;
  }

  packet(payload, marker, ts) {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (marker ? 0x80 : 0) | this.payloadType;
    header.writeUInt16BE(this.seq, 2);
    header.writeUInt32BE(ts >>> 0, 4);
    header.writeUInt32BE(this.ssrc, 8);
    this.seq = (this.seq + 1) & 0xffff;
    return Buffer.concat([header, payload]);
  }

  /** Sends every frame due by `nowMs`. */
  tick(nowMs) {
    if (!this.running) return;
    if (this.keyframeWanted) {
      this.keyframeWanted = false;
      this.jumpToKeyframe(nowMs);
    }
    const { frames, durationMs, clockRate } = this.clip;
    while (this.loopStartMs + frames[this.index].atMs <= nowMs) {
      const frame = frames[this.index];
      const ts = this.baseTs + Math.round(((this.loopStartMs + frame.atMs) / 1000) * clockRate);
      for (const p of frame.packets) {
        let payload = p.payload;
        if (this.probe) {
          payload = Buffer.alloc(8);
          payload.writeUInt32BE(++this.counter, 0);
          this.sentAt.set(this.counter, performance.now());
        }
        this.socket.send(this.packet(payload, p.marker, ts), this.port, this.ip);
        this.sent++;
      }
      this.index++;
      if (this.index === frames.length) {
        this.index = 0;
        this.loopStartMs += durationMs;
      }
    }
  }

  close() {
    this.running = false;
    this.socket.close();
  }
}

/** One timer drives every replayer (cheaper than a timer each). */
export function startClock(replayers) {
  const timer = setInterval(() => {
    const now = performance.now();
    for (const r of replayers) r.tick(now);
  }, 4);
  return () => clearInterval(timer);
}
