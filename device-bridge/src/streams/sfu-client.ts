/** The SFU's ingest API as the bridge uses it (schemas in @cc/protocol sfu/ingest). */
import { ErrorCode, INGEST_PREFIX, ProtocolError, ingestSourceSchema, type CreateIngestSource, type IngestSource } from '@cc/protocol';

export class SfuIngestClient {
  constructor(
    private readonly sfuUrl: string,
    private readonly authorization: () => string,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.sfuUrl}${INGEST_PREFIX}${path}`, {
        method,
        headers: { authorization: this.authorization(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
    } catch (cause) {
      throw new ProtocolError(ErrorCode.Unavailable, { sfu: this.sfuUrl }, { message: 'SFU unreachable', cause });
    }
  }

  async createSource(source: CreateIngestSource): Promise<IngestSource> {
    const response = await this.call('POST', '/sources', source);
    if (!response.ok)
      throw new ProtocolError(
        ErrorCode.Unavailable,
        { status: response.status, body: (await response.text()).slice(0, 300) },
        { message: 'SFU refused the ingest source' },
      );
    return ingestSourceSchema.parse(await response.json());
  }

  async deleteSource(sourceId: string): Promise<void> {
    await this.call('DELETE', `/sources/${encodeURIComponent(sourceId)}`).catch(() => undefined);
  }
}
