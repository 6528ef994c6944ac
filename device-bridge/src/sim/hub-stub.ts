/**
 * A stand-in for the hub's bridge ingest (`POST /api/v1/ingest/bridge`), for the bridge's
 * own tests and benchmark: it checks the service authorization and the event schema
 * exactly as the hub must, and records what arrived (with arrival time).
 */
import { createServer, type Server } from 'node:http';
import { BRIDGE_INGEST_PATH, bridgeIngestRequestSchema, type BridgeEvent } from '@cc/protocol';
import { loadJoinTokenKey, verifyServiceAuthorization } from '@cc/runtime';

export interface ReceivedEvent {
  event: BridgeEvent;
  receivedAt: number;
}

export interface HubStub {
  url: string;
  events: ReceivedEvent[];
  /** Batches refused (bad auth or schema): must stay 0. */
  refused: number;
  /** While true the stub answers 503, as a hub that is down would. */
  down: boolean;
  onEvent?: (event: BridgeEvent, receivedAt: number) => void;
  of<T extends BridgeEvent['type']>(type: T): Extract<BridgeEvent, { type: T }>[];
  close(): Promise<void>;
}

export async function startHubStub(dataDir: string, port = 0): Promise<HubStub> {
  const stub: HubStub = {
    url: '',
    events: [],
    refused: 0,
    down: false,
    of: (type) => stub.events.map((e) => e.event).filter((e): e is Extract<BridgeEvent, { type: typeof type }> => e.type === type),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const seen = new Set<string>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const receivedAt = performance.now();
      if (request.url !== BRIDGE_INGEST_PATH || request.method !== 'POST' || stub.down) {
        response.writeHead(stub.down ? 503 : 404).end();
        return;
      }
      try {
        verifyServiceAuthorization(loadJoinTokenKey(dataDir), request.headers.authorization);
        const { events } = bridgeIngestRequestSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        let accepted = 0;
        for (const event of events) {
          if (seen.has(event.eventId)) continue;
          seen.add(event.eventId);
          accepted += 1;
          stub.events.push({ event, receivedAt });
          stub.onEvent?.(event, receivedAt);
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted }));
      } catch (error) {
        stub.refused += 1;
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  stub.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  return stub;
}
