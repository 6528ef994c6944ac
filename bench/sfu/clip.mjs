// Pre-encoded media for bench:sfu: ffmpeg encodes a few seconds of VP8 (two sizes) and Opus
// once, sent as RTP to loopback sockets here; the packets are kept as frames to replay with
// no encoding cost during the run.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';

const CLIP_S = 4;

/** VP8 payload descriptor + header: is this packet the start of a keyframe? */
function vp8KeyframeStart(payload) {
  let i = 0;
  const first = payload[i++];
  const start = (first & 0x10) !== 0 && (first & 0x07) === 0;
  if (first & 0x80) {
    const ext = payload[i++];
    if (ext & 0x80) i += payload[i] & 0x80 ? 2 : 1;
    if (ext & 0x40) i += 1;
    if (ext & 0x30) i += 1;
  }
  return start && (payload[i] & 0x01) === 0;
}

function parse(packet) {
  const cc = packet[0] & 0x0f;
  const hasExt = (packet[0] & 0x10) !== 0;
  let offset = 12 + cc * 4;
  if (hasExt) offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  return { marker: (packet[1] & 0x80) !== 0, timestamp: packet.readUInt32BE(4), payload: packet.subarray(offset) };
}

/** Groups packets into frames by RTP timestamp. */
function framesOf(packets, clockRate, isVideo) {
  const frames = [];
  for (const p of packets) {
    const last = frames.at(-1);
    if (last && last.timestamp === p.timestamp) last.packets.push(p);
    else frames.push({ timestamp: p.timestamp, packets: [p], key: false });
  }
  const t0 = frames[0]?.timestamp ?? 0;
  for (const f of frames) {
    f.atMs = (((f.timestamp - t0) >>> 0) / clockRate) * 1000;
    f.key = isVideo && vp8KeyframeStart(f.packets[0].payload);
  }
  const durationMs = frames.length > 1 ? frames.at(-1).atMs + (frames.at(-1).atMs - frames.at(-2).atMs) : 20;
  return { frames, clockRate, durationMs };
}

async function listen() {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  const packets = [];
  socket.on('message', (m) => packets.push(parse(Buffer.from(m))));
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, packets, port: socket.address().port };
}

/** { low, high, audio } clips: VP8 320x180@15 ~150 kb/s, VP8 640x360@30 ~600 kb/s, Opus 48 kHz. */
export async function encodeClips() {
  const [low, high, audio] = [await listen(), await listen(), await listen()];
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-re'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${CLIP_S}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${CLIP_S}`],
    ...['-map', '0:v', '-s', '320x180', '-r', '15', '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '150k', '-g', '30'],
    ...['-payload_type', '101', '-f', 'rtp', `rtp://127.0.0.1:${low.port}?pkt_size=1200`],
    ...['-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k', '-g', '60'],
    ...['-payload_type', '101', '-f', 'rtp', `rtp://127.0.0.1:${high.port}?pkt_size=1200`],
    ...['-map', '1:a', '-c:a', 'libopus', '-b:a', '32k', '-payload_type', '100', '-f', 'rtp', `rtp://127.0.0.1:${audio.port}`],
  ];
  const ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await new Promise((resolve, reject) =>
    ffmpeg.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`)))),
  );
  await new Promise((r) => setTimeout(r, 200));
  for (const l of [low, high, audio]) l.socket.close();
  return {
    low: framesOf(low.packets, 90000, true),
    high: framesOf(high.packets, 90000, true),
    audio: framesOf(audio.packets, 48000, false),
  };
}
