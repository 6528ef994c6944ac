/** Ports for device media from the configured range (even ports, RTP convention): UDP, plus a TCP listener for TCP-passive. */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';

export class RtpPortPool {
  private next: number;

  constructor(
    private readonly host: string,
    private readonly min: number,
    private readonly max: number,
  ) {
    this.next = min + (min % 2);
  }

  /** Binds a UDP socket on the next free even port of the range. */
  async bind(): Promise<{ socket: Socket; port: number }> {
    const span = Math.floor((this.max - this.min) / 2) + 1;
    for (let tries = 0; tries < span; tries++) {
      const port = this.next;
      this.next = this.next + 2 > this.max ? this.min + (this.min % 2) : this.next + 2;
      const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
      const ok = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(port, this.host, () => resolve(true));
      });
      if (ok) return { socket, port };
      socket.close();
    }
    throw new Error(`no free RTP port in ${this.min}-${this.max}`);
  }

  /** A UDP socket and a TCP listener on the same even port (TCP-passive media; UDP sends to the SFU). */
  async bindWithTcp(): Promise<{ socket: Socket; server: Server; port: number }> {
    const span = Math.floor((this.max - this.min) / 2) + 1;
    for (let tries = 0; tries < span; tries++) {
      const { socket, port } = await this.bind();
      const server = createServer();
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, this.host, () => resolve(true));
      });
      if (ok) return { socket, server, port };
      socket.close();
    }
    throw new Error(`no free TCP+UDP port in ${this.min}-${this.max}`);
  }
}
