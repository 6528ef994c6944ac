/**
 * RecordInfo (recorder search): one query, answered by one or more MESSAGEs with the
 * same SN, each carrying part of `SumNum` segments. Resolves when all arrived, or with
 * what came when the device stops answering.
 */
import type { BridgeCommandBody, RecordSegment } from '@cc/protocol';
import { manscdpBody } from '../manscdp/encode.js';
import type { ManscdpMessage } from '../manscdp/messages.js';
import type { GbCommander } from './commander.js';

interface Pending {
  records: RecordSegment[];
  sumNum?: number;
  resolve: (answer: { records: RecordSegment[]; complete: boolean }) => void;
  timer: NodeJS.Timeout;
}

export class RecordQueries {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly commander: GbCommander,
    private readonly timeoutMs = 10_000,
  ) {}

  query(body: BridgeCommandBody<'queryRecords'>): Promise<{ records: RecordSegment[]; complete: boolean }> {
    const sn = this.commander.nextSn();
    const key = `${body.channelId}/${sn}`;
    const content = manscdpBody('Query', 'RecordInfo', sn, body.channelId, {
      StartTime: body.startTime,
      EndTime: body.endTime,
      Secrecy: 0,
      Type: body.type,
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.finish(key, false), this.timeoutMs);
      this.pending.set(key, { records: [], resolve, timer });
      try {
        this.commander.message(body.deviceId, content, body.channelId);
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(key);
        reject(error);
      }
    });
  }

  /** A RecordInfo answer part from a device. */
  onAnswer(message: Extract<ManscdpMessage, { kind: 'recordInfo' }>): void {
    const key = `${message.deviceId}/${message.sn}`;
    const entry = this.pending.get(key);
    if (!entry) return;
    entry.sumNum = message.sumNum;
    entry.records.push(...message.records.slice(0, Math.max(0, message.sumNum - entry.records.length)));
    if (entry.records.length >= message.sumNum) this.finish(key, true);
  }

  private finish(key: string, complete: boolean): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(key);
    entry.resolve({ records: entry.records, complete });
  }

  close(): void {
    for (const key of [...this.pending.keys()]) this.finish(key, false);
  }
}
