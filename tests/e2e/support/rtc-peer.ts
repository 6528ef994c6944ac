/**
 * Browser side of the SFU tests, bundled with esbuild and injected into a Chromium page:
 * a peer that joins over the typed signalling, publishes the fake camera/mic, and
 * consumes what others publish. Exposed as `window.ccPeer`.
 */
import { Device } from 'mediasoup-client';

type Pending = { resolve: (data: any) => void; reject: (error: Error) => void };

class TestPeer {
  private ws!: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly device = new Device();
  private sendTransport: any;
  private recvTransport: any;
  private readonly known: { producerId: string; kind: string }[] = [];
  readonly consumers: any[] = [];
  readonly events: string[] = [];

  async join(url: string, token: string): Promise<void> {
    this.ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      this.ws.onopen = resolve;
      this.ws.onerror = () => reject(new Error('socket failed'));
    });
    this.ws.onmessage = (event) => this.onMessage(JSON.parse(String(event.data)));
    const joined = await this.request('join', { token });
    await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    await this.request('setCapabilities', { rtpCapabilities: this.device.recvRtpCapabilities });
    this.known.push(...joined.producers);
    this.sendTransport = await this.transport('send');
    this.recvTransport = await this.transport('recv');
  }

  /** Sends raw text on the socket and returns the next response (for bad-input tests). */
  async raw(text: string): Promise<any> {
    return new Promise((resolve) => {
      const previous = this.ws.onmessage;
      this.ws.onmessage = (event) => {
        const message = JSON.parse(String(event.data));
        if (message.type === 'response') {
          this.ws.onmessage = previous;
          resolve(message);
        }
      };
      this.ws.send(text);
    });
  }

  request(type: string, data: unknown): Promise<any> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, type, data }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  private onMessage(message: any): void {
    if (message.type === 'response') {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      if (message.ok) entry.resolve(message.data);
      else entry.reject(new Error(`${message.error.code}: ${message.error.messageEn}`));
    } else if (message.type === 'notification') {
      this.events.push(message.event);
      if (message.event === 'newProducer') this.known.push(message.data);
    }
  }

  private async transport(direction: 'send' | 'recv'): Promise<any> {
    const info = await this.request('createTransport', { direction });
    const options = {
      id: info.transportId,
      iceParameters: info.iceParameters,
      iceCandidates: info.iceCandidates,
      dtlsParameters: info.dtlsParameters,
    };
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }: any, done: () => void, fail: (e: Error) => void) => {
      this.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(done, fail);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }: any, done: (r: { id: string }) => void, fail: (e: Error) => void) => {
        this.request('produce', { transportId: transport.id, kind, rtpParameters, source: appData.source }).then(
          (r: any) => done({ id: r.producerId }),
          fail,
        );
      });
    }
    return transport;
  }

  async publishCamera(): Promise<string[]> {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
    const ids: string[] = [];
    for (const track of stream.getTracks()) {
      const source = track.kind === 'video' ? 'camera' : 'microphone';
      const producer = await this.sendTransport.produce({ track, appData: { source } });
      ids.push(producer.id);
    }
    return ids;
  }

  /** Consumes every producer announced so far that is not consumed yet. */
  async consumeAll(): Promise<number> {
    const consumed = new Set(this.consumers.map((c) => c.producerId));
    for (const { producerId } of this.known) {
      if (consumed.has(producerId)) continue;
      const info = await this.request('consume', { transportId: this.recvTransport.id, producerId });
      const consumer = await this.recvTransport.consume({
        id: info.consumerId,
        producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters,
      });
      this.consumers.push(consumer);
      if (consumer.kind === 'video') {
        const video = document.createElement('video');
        video.muted = true;
        video.autoplay = true;
        video.srcObject = new MediaStream([consumer.track]);
        document.body.append(video);
      }
      await this.request('resumeConsumer', { consumerId: info.consumerId });
    }
    return this.consumers.length;
  }

  /** framesDecoded per video consumer and packetsReceived per audio consumer. */
  async receiveStats(): Promise<{ kind: string; framesDecoded: number; packetsReceived: number }[]> {
    const out = [];
    for (const consumer of this.consumers) {
      let framesDecoded = 0;
      let packetsReceived = 0;
      const report: RTCStatsReport = await consumer.getStats();
      report.forEach((s: any) => {
        if (s.type === 'inbound-rtp') {
          framesDecoded += s.framesDecoded ?? 0;
          packetsReceived += s.packetsReceived ?? 0;
        }
      });
      out.push({ kind: consumer.kind, framesDecoded, packetsReceived });
    }
    return out;
  }
}

(window as any).ccPeer = new TestPeer();
