/** The provisioned-devices table: devices set up through the hub, with their court, unit and sealed password. */
import type { ProvisionedDevice } from '@cc/protocol';
import type { Db } from '../store/database.js';

interface Row {
  id: string;
  kind: 'gb28181' | 'intercom';
  name: string;
  court: string | null;
  unit_id: string | null;
  password: string | null;
  media_transport: 'udp' | 'tcp_passive' | 'tcp_active' | null;
  created_at: string;
  updated_at: string;
  pushed_at: string | null;
}

export interface StoredDevice {
  device: ProvisionedDevice;
  /** Sealed password (SecretBox), or null. */
  sealedPassword: string | null;
}

const from = (r: Row): StoredDevice => ({
  device: {
    id: r.id,
    kind: r.kind,
    name: r.name,
    court: r.court,
    unitId: r.unit_id,
    hasPassword: r.password !== null,
    mediaTransport: r.media_transport,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    pushedAt: r.pushed_at,
  },
  sealedPassword: r.password,
});

export function listProvisioned(db: Db, court: string | null): StoredDevice[] {
  return (db.prepare('SELECT * FROM provisioned_devices WHERE (@court IS NULL OR court = @court) ORDER BY id').all({ court }) as Row[]).map(
    from,
  );
}

export function getProvisioned(db: Db, id: string): StoredDevice | undefined {
  const row = db.prepare('SELECT * FROM provisioned_devices WHERE id = ?').get(id) as Row | undefined;
  return row ? from(row) : undefined;
}

export function putProvisioned(
  db: Db,
  d: {
    id: string;
    kind: string;
    name: string;
    court: string | null;
    unitId: string | null;
    sealedPassword: string | null;
    mediaTransport: string | null;
  },
  at: string,
): void {
  db.prepare(
    `INSERT INTO provisioned_devices (id, kind, name, court, unit_id, password, media_transport, created_at, updated_at, pushed_at)
     VALUES (@id, @kind, @name, @court, @unitId, @sealedPassword, @mediaTransport, @at, @at, NULL)
     ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name = excluded.name, court = excluded.court, unit_id = excluded.unit_id,
       password = excluded.password, media_transport = excluded.media_transport, updated_at = excluded.updated_at, pushed_at = NULL`,
  ).run({ ...d, at });
}

export function deleteProvisioned(db: Db, id: string): boolean {
  return db.prepare('DELETE FROM provisioned_devices WHERE id = ?').run(id).changes > 0;
}

/** Records that the bridge accepted this version of the device (unless it changed meanwhile). */
export function markPushed(db: Db, id: string, updatedAt: string, at: string): void {
  db.prepare('UPDATE provisioned_devices SET pushed_at = ? WHERE id = ? AND updated_at = ?').run(at, id, updatedAt);
}
