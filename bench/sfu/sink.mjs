// A synthetic subscriber: one UDP socket receiving every consumer of one PlainTransport;
// counts packets per SSRC, notes the first keyframe, and timestamps probe packets.
import { createSocket } from 'node:dgram';

function vp8KeyStart(payload) {
  let i = 0;
  const first = payload[i++];
  if (!(first & 0x10) || (first & 0x07) !== 0) return false;
  if (first & 0x80) {
    const ext = payload[i++];
    if (ext & 0x80) i += payload[i] & 0x80 ? 2 : 1;
    if (ext & 0x40) i += 1;
    if (ext & 0x30) i += 1;
  }
  return (payload[i] & 0x01) === 0;
}

export class Sink {
  constructor() {
    this.socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    this.received = 0;
    this.firstKeyAt = new Map();
    this.watchKeys = new Set();
    this.probeSsrc = undefined;
    this.probe = undefined;
    this.latencies = [];
    this.socket.on('message', (m) => this.onPacket(m));
  }

  async bind() {
    await new Promise((r) => this.socket.bind(0, '127.0.0.1', r));
    return this.socket.address().port;
  }

  onPacket(m) {
    const pt = m[1] & 0x7f;
    if (pt >= 72 && pt <= 79) return; // RTCP (rtcpMux)
    const ssrc = m.readUInt32BE(8);
    let offset = 12 + (m[0] & 0x0f) * 4;
    if (m[0] & 0x10) offset += 4 + m.readUInt16BE(offset + 2) * 4;
    if (ssrc === this.probeSsrc && this.probe) {
      const sentAt = this.probe.sentAt.get(m.readUInt32BE(offset));
      if (sentAt !== undefined) this.latencies.push(performance.now() - sentAt);
      return;
    }
    this.received++;
    if (this.watchKeys.size > 0 && this.watchKeys.has(ssrc) && !this.firstKeyAt.has(ssrc) && vp8KeyStart(m.subarray(offset))) {
      this.firstKeyAt.set(ssrc, performance.now());
    }
  }

  close() {
    this.socket.close();
  }
}
