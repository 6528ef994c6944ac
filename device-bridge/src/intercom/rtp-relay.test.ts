import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpPortPool } from '../streams/port-pool.js';
import { RtpRelay } from './rtp-relay.js';

/** A real UDP peer on loopback that records what it receives. */
async function peer(host = '127.0.0.1'): Promise<{ socket: Socket; port: number; got: { packet: Buffer; from: RemoteInfo }[] }> {
  const socket = createSocket('udp4');
  const got: { packet: Buffer; from: RemoteInfo }[] = [];
  socket.on('message', (packet, from) => got.push({ packet, from }));
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  return { socket, port: socket.address().port, got };
}

function rtp(pt: number, ssrc: number, seq: number, payload = Buffer.from('voice')): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = pt;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(ssrc, 8);
  return Buffer.concat([header, payload]);
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('intercom RTP relay (real UDP on loopback)', () => {
  const open: { close(): void }[] = [];
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
  });

  it('forwards the intercom’s RTP to the SFU with the producer’s SSRC and payload type, drops strangers and RTCP', async () => {
    const relay = await RtpRelay.open(new RtpPortPool('127.0.0.1', 47000, 47100));
    const phone = await peer();
    const sfu = await peer();
    const stranger = await peer('127.0.0.3');
    open.push(relay, phone.socket, sfu.socket, stranger.socket);
    relay.setIntercom({ host: '127.0.0.1', port: phone.port });
    relay.setSfu({ host: '127.0.0.1', port: sfu.port, ssrc: 0x1234, payloadType: 8 });

    phone.socket.send(rtp(0x80 | 8, 999, 7), relay.intercomPort, '127.0.0.1'); // marker bit kept
    phone.socket.send(Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0]), relay.intercomPort, '127.0.0.1'); // RTCP SR
    stranger.socket.send(rtp(8, 555, 1), relay.intercomPort, '127.0.0.1');
    await until(() => relay.stats.dropped >= 2);
    await until(() => sfu.got.length >= 1);
    expect(sfu.got).toHaveLength(1);
    const out = sfu.got[0]!.packet;
    expect(out.readUInt32BE(8)).toBe(0x1234);
    expect(out[1]).toBe(0x80 | 8);
    expect(out.readUInt16BE(2)).toBe(7);
    expect(out.subarray(12).toString()).toBe('voice');
    expect(relay.stats).toMatchObject({ fromIntercom: 1, toSfu: 1, dropped: 2 });
    expect(relay.stats.lastIntercomRtpAt).toBeGreaterThan(0);
  });

  it('sends the transcoded voice from the advertised port (symmetric RTP) to where the intercom’s RTP comes from', async () => {
    const relay = await RtpRelay.open(new RtpPortPool('127.0.0.1', 47100, 47200));
    const phoneSdp = await peer();
    const phoneReal = await peer();
    const transcoderIn = await peer();
    const transcoderOut = await peer();
    open.push(relay, phoneSdp.socket, phoneReal.socket, transcoderIn.socket, transcoderOut.socket);
    relay.setIntercom({ host: '127.0.0.1', port: phoneSdp.port });
    relay.setTranscoder({ host: '127.0.0.1', port: transcoderIn.port });

    // Before the intercom's first packet: towards its SDP address.
    transcoderOut.socket.send(rtp(8, 1, 1), relay.transcodedPort, '127.0.0.1');
    await until(() => phoneSdp.got.length === 1);
    expect(phoneSdp.got[0]!.from.port).toBe(relay.intercomPort);
    // It sends from another port (NAT): we latch onto it.
    phoneReal.socket.send(rtp(8, 2, 1), relay.intercomPort, '127.0.0.1');
    await until(() => relay.stats.fromIntercom === 1);
    transcoderOut.socket.send(rtp(8, 1, 2), relay.transcodedPort, '127.0.0.1');
    await until(() => phoneReal.got.length === 1);
    expect(phoneReal.got[0]!.from.port).toBe(relay.intercomPort);
    expect(phoneSdp.got).toHaveLength(1);

    // The console's Opus RTP goes on to the transcoder; its RTCP does not.
    const sfu = await peer();
    open.push(sfu.socket);
    sfu.socket.send(rtp(100, 3, 1), relay.consolePort, '127.0.0.1');
    sfu.socket.send(Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 3]), relay.consolePort, '127.0.0.1');
    await until(() => transcoderIn.got.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(transcoderIn.got).toHaveLength(1);
    expect(relay.stats).toMatchObject({ fromConsole: 1, toIntercom: 2 });
  });
});
