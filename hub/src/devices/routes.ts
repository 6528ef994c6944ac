/** `/api/v1/devices`: what the bridge reported — presence, info, channel tree, last position. */
import { API_PREFIX } from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { notFound } from '../app/parse.js';

interface DeviceRow {
  id: string;
  kind: string;
  online: number;
  offline_reason: string | null;
  last_seen: string;
  address: string | null;
  info: string;
  lat: number | null;
  lon: number | null;
  position_at: string | null;
}

const deviceFrom = (r: DeviceRow) => ({
  id: r.id,
  kind: r.kind,
  online: r.online === 1,
  offlineReason: r.offline_reason,
  lastSeen: r.last_seen,
  address: r.address,
  info: JSON.parse(r.info) as Record<string, unknown>,
  position: r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon, at: r.position_at } : null,
});

export function registerDeviceRoutes(ctx: HubContext): void {
  const { app, db, auth } = ctx;
  const staff = auth.require('duty_officer', 'leader', 'technician', 'viewer');
  app.get(`${API_PREFIX}/devices`, { preHandler: staff }, async () => ({
    devices: (db.prepare('SELECT * FROM devices ORDER BY id').all() as DeviceRow[]).map(deviceFrom),
  }));
  app.get(`${API_PREFIX}/devices/:id`, { preHandler: staff }, async (request) => {
    const { id } = request.params as { id: string };
    const row = db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
    if (!row) throw notFound('device', id);
    const channels = db
      .prepare('SELECT channel_id, name, parent_id, status FROM device_channels WHERE device_id = ? ORDER BY channel_id')
      .all(id);
    return { ...deviceFrom(row), channels };
  });
}
