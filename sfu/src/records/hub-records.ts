/**
 * Sends consultation records (roll calls, recording manifests) to the hub, service-authorized,
 * with retries; a record the hub never took is kept in `<dataDir>/sfu/outbox/` for an operator.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSULTATION_RECORDS_PATH, consultationRecordSchema, type ConsultationRecord } from '@cc/protocol';
import { serviceAuthorization, type Logger } from '@cc/runtime';

const RETRY_DELAYS_MS = [500, 1000, 2000, 4000];

export class HubRecords {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly hubUrl: string,
    private readonly key: Buffer,
    private readonly dataDir: string,
    private readonly logger: Logger,
  ) {}

  /** Fire and forget: retries in the background, never throws. */
  send(record: ConsultationRecord): void {
    const body = JSON.stringify(consultationRecordSchema.parse(record));
    void this.attempt(record, body, 0);
  }

  private async attempt(record: ConsultationRecord, body: string, tries: number): Promise<void> {
    if (this.closed) return this.keep(record, 'shutting down');
    try {
      const response = await fetch(new URL(CONSULTATION_RECORDS_PATH, this.hubUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: serviceAuthorization(this.key, 'sfu') },
        body,
        signal: AbortSignal.timeout(5000),
      });
      if (response.ok) {
        this.logger.info({ recordId: record.recordId, kind: record.kind, room: record.room }, 'record sent to the hub');
        return;
      }
      // A 4xx will not get better by retrying.
      if (response.status < 500) return this.keep(record, `hub answered ${response.status}: ${await response.text()}`);
      throw new Error(`hub answered ${response.status}`);
    } catch (error) {
      const delay = RETRY_DELAYS_MS[tries];
      if (delay === undefined) return this.keep(record, String(error));
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.attempt(record, body, tries + 1);
      }, delay);
      this.timers.add(timer);
    }
  }

  private keep(record: ConsultationRecord, reason: string): void {
    const dir = join(this.dataDir, 'sfu', 'outbox');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${record.recordId}.json`), JSON.stringify(record, null, 2));
    this.logger.error({ recordId: record.recordId, reason }, 'hub did not take the record; kept in the outbox');
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
