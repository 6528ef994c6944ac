/**
 * The hub's live views, kept in SQLite so they survive a hub restart: the console keeps
 * watching (its SFU connection does not go through the hub) and renews the view as before.
 * Reconciled with the bridge's viewers whenever the hub sees the bridge come up (view-reconcile).
 */
import type { Db } from '../store/database.js';

export interface View {
  viewId: string;
  deviceId: string;
  channelId: string;
  streamId: string;
  room: string;
  ownerId: string;
  mode: 'live' | 'playback';
  /** Lease end, ms since the epoch. */
  until: number;
}

/** Viewer ids the hub gives the bridge: the bridge drops viewers with this prefix the hub does not know. */
export const VIEW_ID_PREFIX = 'view-';

interface Row {
  view_id: string;
  device_id: string;
  channel_id: string;
  stream_id: string;
  room: string;
  owner_id: string;
  mode: 'live' | 'playback';
  until_ms: number;
}

const from = (r: Row): View => ({
  viewId: r.view_id,
  deviceId: r.device_id,
  channelId: r.channel_id,
  streamId: r.stream_id,
  room: r.room,
  ownerId: r.owner_id,
  mode: r.mode,
  until: r.until_ms,
});

export class ViewStore {
  /** Views being opened (the bridge may already count the viewer before the hub stored it). */
  readonly opening = new Set<string>();

  constructor(private readonly db: Db) {}

  get(viewId: string): View | undefined {
    const row = this.db.prepare('SELECT * FROM live_views WHERE view_id = ?').get(viewId) as Row | undefined;
    return row ? from(row) : undefined;
  }

  all(): View[] {
    return (this.db.prepare('SELECT * FROM live_views ORDER BY view_id').all() as Row[]).map(from);
  }

  expired(now: number): View[] {
    return (this.db.prepare('SELECT * FROM live_views WHERE until_ms <= ?').all(now) as Row[]).map(from);
  }

  put(v: View): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO live_views (view_id, device_id, channel_id, stream_id, room, owner_id, mode, until_ms)
         VALUES (@viewId, @deviceId, @channelId, @streamId, @room, @ownerId, @mode, @until)`,
      )
      .run(v);
  }

  renew(viewId: string, until: number): void {
    this.db.prepare('UPDATE live_views SET until_ms = ? WHERE view_id = ?').run(until, viewId);
  }

  delete(viewId: string): boolean {
    return this.db.prepare('DELETE FROM live_views WHERE view_id = ?').run(viewId).changes > 0;
  }

  /** Ids the hub stands for: stored views and the ones being opened. */
  known(): string[] {
    return [...this.all().map((v) => v.viewId), ...this.opening];
  }
}
