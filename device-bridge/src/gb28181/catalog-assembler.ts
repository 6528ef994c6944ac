/**
 * Multi-part Catalog answers: NVRs and platforms answer one query with many MESSAGEs of
 * the same SN, each carrying part of `SumNum` channels. Parts are merged per (device,
 * SN) until SumNum unique channels arrived, or published as incomplete after a timeout.
 */
import type { CatalogChannel } from '@cc/protocol';

interface Pending {
  deviceId: string;
  sumNum: number;
  channels: Map<string, CatalogChannel>;
  startedAt: number;
}

export interface AssembledCatalog {
  deviceId: string;
  sumNum: number;
  channels: CatalogChannel[];
  complete: boolean;
}

export class CatalogAssembler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly timeoutMs = 10_000,
    private readonly maxPending = 5000,
  ) {}

  /** Adds one part; returns the whole catalog once complete. */
  add(deviceId: string, sn: number, sumNum: number, channels: CatalogChannel[], now = Date.now()): AssembledCatalog | undefined {
    const key = `${deviceId}/${sn}`;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= this.maxPending) return undefined;
      entry = { deviceId, sumNum, channels: new Map(), startedAt: now };
      this.pending.set(key, entry);
    }
    for (const channel of channels) {
      if (entry.channels.size >= Math.max(entry.sumNum, 1) && !entry.channels.has(channel.channelId)) break;
      entry.channels.set(channel.channelId, channel);
    }
    if (entry.channels.size < entry.sumNum) return undefined;
    this.pending.delete(key);
    return { deviceId, sumNum: entry.sumNum, channels: [...entry.channels.values()], complete: true };
  }

  /** Catalogs whose parts stopped arriving: published as they are. */
  expire(now = Date.now()): AssembledCatalog[] {
    const out: AssembledCatalog[] = [];
    for (const [key, entry] of this.pending) {
      if (now - entry.startedAt < this.timeoutMs) continue;
      this.pending.delete(key);
      out.push({ deviceId: entry.deviceId, sumNum: entry.sumNum, channels: [...entry.channels.values()], complete: false });
    }
    return out;
  }
}
