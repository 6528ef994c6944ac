/**
 * The UDP sockets of one intercom call, all owned by the bridge:
 * - `intercom`: the port in our SDP. The intercom's G.711 RTP arrives here and is forwarded
 *   to the SFU ingest producer with the SSRC (and payload type) the producer was declared
 *   with; the transcoded console voice leaves from this same port (symmetric RTP), towards
 *   the address the intercom's RTP comes from once seen (latching), its SDP address before.
 * - `console`: the SFU listen leg sends the console's Opus RTP here; it goes on to the
 *   transcoder on loopback (RTCP is dropped).
 * - `transcoded`: the transcoder's G.711 RTP comes back here (loopback only).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { RtpPortPool } from '../streams/port-pool.js';

export interface RelayStats {
  fromIntercom: number;
  toSfu: number;
  fromConsole: number;
  toIntercom: number;
  /** Packets from unexpected addresses or not RTP. */
  dropped: number;
  /** performance.now() of the last RTP packet from the intercom (0: none yet). */
  lastIntercomRtpAt: number;
}

export interface Target {
  host: string;
  port: number;
}

function isRtp(packet: Buffer): boolean {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return false;
  const pt = packet[1]! & 0x7f;
  // RTCP (SR 200 … 207 carry the marker bit pattern 72 … 79 in the low 7 bits).
  return pt < 72 || pt > 79;
}

async function loopbackSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return socket;
}

export class RtpRelay {
  readonly stats: RelayStats = { fromIntercom: 0, toSfu: 0, fromConsole: 0, toIntercom: 0, dropped: 0, lastIntercomRtpAt: 0 };
  private intercomTarget?: Target;
  private latched = false;
  private sfuTarget?: { host: string; port: number; ssrc: number; payloadType: number };
  private transcoderTarget?: Target;
  private closed = false;

  private constructor(
    private readonly intercom: { socket: Socket; port: number },
    private readonly console: { socket: Socket; port: number },
    private readonly transcoded: Socket,
  ) {
    intercom.socket.on('message', (packet, from) => this.onIntercom(packet, from));
    console.socket.on('message', (packet) => this.onConsole(packet));
    transcoded.on('message', (packet, from) => this.onTranscoded(packet, from));
    for (const socket of [intercom.socket, console.socket, transcoded]) socket.on('error', () => (this.stats.dropped += 1));
  }

  /** Binds the intercom and console ports from the bridge's RTP range, the transcoder's on loopback. */
  static async open(pool: RtpPortPool): Promise<RtpRelay> {
    const intercom = await pool.bind();
    try {
      const console = await pool.bind();
      return new RtpRelay(intercom, console, await loopbackSocket());
    } catch (error) {
      intercom.socket.close();
      throw error;
    }
  }

  get intercomPort(): number {
    return this.intercom.port;
  }

  get consolePort(): number {
    return this.console.port;
  }

  get transcodedPort(): number {
    return this.transcoded.address().port;
  }

  /** The intercom's SDP address (the source of its RTP, once seen, wins). */
  setIntercom(target: Target): void {
    if (!this.latched) this.intercomTarget = target;
  }

  /** Where the intercom's voice goes: the SFU producer's PlainTransport (comedia). */
  setSfu(target: { host: string; port: number; ssrc: number; payloadType: number }): void {
    this.sfuTarget = target;
  }

  /** Where the console's Opus RTP goes: the transcoder's input port. */
  setTranscoder(target: Target | undefined): void {
    this.transcoderTarget = target;
  }

  private onIntercom(packet: Buffer, from: RemoteInfo): void {
    const expected = this.intercomTarget;
    if (!expected || from.address !== expected.host || !isRtp(packet)) {
      this.stats.dropped += 1;
      return;
    }
    if (!this.latched || expected.port !== from.port) {
      this.latched = true;
      this.intercomTarget = { host: from.address, port: from.port };
    }
    this.stats.fromIntercom += 1;
    this.stats.lastIntercomRtpAt = performance.now();
    const sfu = this.sfuTarget;
    if (!sfu) return;
    const out = Buffer.from(packet);
    out[1] = (out[1]! & 0x80) | sfu.payloadType;
    out.writeUInt32BE(sfu.ssrc, 8);
    this.console.socket.send(out, sfu.port, sfu.host);
    this.stats.toSfu += 1;
  }

  private onConsole(packet: Buffer): void {
    const target = this.transcoderTarget;
    if (!target || !isRtp(packet)) return;
    this.stats.fromConsole += 1;
    this.transcoded.send(packet, target.port, target.host);
  }

  private onTranscoded(packet: Buffer, from: RemoteInfo): void {
    const target = this.intercomTarget;
    if (from.address !== '127.0.0.1' || !target || !isRtp(packet)) return;
    this.intercom.socket.send(packet, target.port, target.host);
    this.stats.toIntercom += 1;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of [this.intercom.socket, this.console.socket, this.transcoded]) socket.close();
  }
}
