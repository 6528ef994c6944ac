import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@cc/runtime';
import { Rfc4571Framer, buildRtp, frame4571, parseRtp } from '../media/rtp.js';
import { TcpActiveInput, TcpPassiveInput } from './media-input.js';

const logger = createLogger('test', 'silent');
const rtp = (sequence: number): Buffer =>
  buildRtp({ marker: false, payloadType: 96, sequence, timestamp: 3600, ssrc: 1200000001 }, Buffer.alloc(100, sequence));
const listening = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
const closed = (socket: Socket): Promise<void> => new Promise((resolve) => socket.once('close', () => resolve()));
const until = async (probe: () => boolean): Promise<void> => {
  while (!probe()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('RFC 4571 framing', () => {
  it('splits framed packets across chunks and marks a stream whose framing broke', () => {
    const framer = new Rfc4571Framer();
    const wire = Buffer.concat([frame4571(rtp(1)), frame4571(rtp(2))]);
    const got = [...framer.push(wire.subarray(0, 5)), ...framer.push(wire.subarray(5, 110)), ...framer.push(wire.subarray(110))];
    expect(got.map((p) => parseRtp(p)?.sequence)).toEqual([1, 2]);
    expect(framer.corrupt).toBe(false);
    expect(framer.push(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual([]);
    expect(framer.corrupt).toBe(true);
    expect(framer.push(frame4571(rtp(3)))).toEqual([]);
    const huge = new Rfc4571Framer(1000);
    huge.push(Buffer.from([0x40, 0x00, 0x80, 0x60]));
    expect(huge.corrupt).toBe(true);
  });
});

describe('RTP over TCP inputs (real sockets on loopback)', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it('TCP-passive: cuts off a peer with broken framing, refuses a second peer, takes packets from the next good one', async () => {
    const server = createServer();
    const port = await listening(server);
    const input = new TcpPassiveInput(server, logger);
    cleanup.push(() => input.close());
    const packets: number[] = [];
    input.onPacket((p) => packets.push(parseRtp(p)!.sequence));

    const bad = connect(port, '127.0.0.1');
    bad.on('error', () => undefined);
    bad.write(Buffer.concat([frame4571(rtp(1)), Buffer.from('\x00\x05hello garbage', 'latin1')]));
    await closed(bad);
    expect(input.stats).toEqual({ connections: 1, badFraming: 1 });

    const good = connect(port, '127.0.0.1');
    cleanup.push(() => good.destroy());
    await new Promise((resolve) => good.once('connect', resolve));
    good.write(frame4571(rtp(2)));
    await until(() => packets.length === 2);
    // The media connection carries RTP: a second peer is refused.
    const intruder = connect(port, '127.0.0.1');
    intruder.on('error', () => undefined);
    await closed(intruder);
    good.write(frame4571(rtp(3)));
    await until(() => packets.length === 3);
    expect(packets).toEqual([1, 2, 3]);
    expect(input.stats).toEqual({ connections: 2, badFraming: 1 });
  });

  it('TCP-passive: a newcomer replaces a connection that has sent nothing yet', async () => {
    const server = createServer();
    const port = await listening(server);
    const input = new TcpPassiveInput(server, logger);
    cleanup.push(() => input.close());
    const packets: number[] = [];
    input.onPacket((p) => packets.push(parseRtp(p)!.sequence));
    const squatter = connect(port, '127.0.0.1');
    squatter.on('error', () => undefined);
    await until(() => input.stats.connections === 1);
    const device = connect(port, '127.0.0.1');
    cleanup.push(() => device.destroy());
    await closed(squatter);
    device.write(frame4571(rtp(9)));
    await until(() => packets.length === 1);
    expect(packets).toEqual([9]);
    expect(input.stats).toEqual({ connections: 2, badFraming: 0 });
  });

  it('TCP-active: connects to the device, reads its packets, reports the connection lost when the device breaks framing', async () => {
    let device: Socket | undefined;
    const server = createServer((s) => (device = s));
    const port = await listening(server);
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    const input = await TcpActiveInput.connect('127.0.0.1', port, logger);
    cleanup.push(() => input.close());
    const packets: number[] = [];
    const lost: string[] = [];
    input.onPacket((p) => packets.push(parseRtp(p)!.sequence));
    input.onLost((reason) => lost.push(reason));
    await until(() => device !== undefined);
    device!.write(frame4571(rtp(7)));
    await until(() => packets.length === 1);
    device!.write(Buffer.from([0x00, 0x02, 0xff, 0xff]));
    await until(() => lost.length === 1);
    expect(lost[0]).toContain('framing');
    expect(input.stats).toEqual({ connections: 1, badFraming: 1 });
  });

  it('TCP-active: gives up with an error when nobody listens', async () => {
    const server = createServer();
    const port = await listening(server);
    await new Promise((resolve) => server.close(resolve));
    await expect(TcpActiveInput.connect('127.0.0.1', port, logger, 2)).rejects.toThrow();
  });
});
