/** The SFU's intercom listen leg as the bridge uses it (`/api/v1/ingest/listeners`, schemas in @cc/protocol sfu/ingest). */
import {
  ErrorCode,
  INGEST_PREFIX,
  ProtocolError,
  ingestListenerSchema,
  roomProducerListSchema,
  type CreateIngestListener,
  type IngestListener,
} from '@cc/protocol';

export class SfuListenerClient {
  constructor(
    private readonly sfuUrl: string,
    private readonly authorization: () => string,
  ) {}

  async listen(request: CreateIngestListener): Promise<IngestListener> {
    let response: Response;
    try {
      response = await fetch(`${this.sfuUrl}${INGEST_PREFIX}/listeners`, {
        method: 'POST',
        headers: { authorization: this.authorization(), 'content-type': 'application/json' },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(5000),
      });
    } catch (cause) {
      throw new ProtocolError(ErrorCode.Unavailable, { sfu: this.sfuUrl }, { message: 'SFU unreachable', cause });
    }
    if (!response.ok)
      throw new ProtocolError(
        ErrorCode.Unavailable,
        { status: response.status, body: (await response.text()).slice(0, 300) },
        { message: 'SFU refused the listen leg' },
      );
    return ingestListenerSchema.parse(await response.json());
  }

  async unlisten(listenerId: string): Promise<void> {
    await fetch(`${this.sfuUrl}${INGEST_PREFIX}/listeners/${encodeURIComponent(listenerId)}`, {
      method: 'DELETE',
      headers: { authorization: this.authorization() },
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
  }

  /** Producer ids in a room; undefined when the SFU cannot say (unreachable, error). */
  async producersIn(room: string): Promise<string[] | undefined> {
    try {
      const response = await fetch(`${this.sfuUrl}${INGEST_PREFIX}/rooms/${encodeURIComponent(room)}/producers`, {
        headers: { authorization: this.authorization() },
        signal: AbortSignal.timeout(5000),
      });
      if (response.status === 404) return [];
      if (!response.ok) return undefined;
      return roomProducerListSchema.parse(await response.json()).producers.map((p) => p.producerId);
    } catch {
      return undefined;
    }
  }
}
