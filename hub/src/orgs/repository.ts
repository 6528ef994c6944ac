/** Reads and writes of courts, people and field units (plain functions over the db). */
import { randomUUID } from 'node:crypto';
import type { Court, FieldUnit, Person } from '@cc/protocol';
import type { Db } from '../store/database.js';
import { hashPassword } from '../auth/password.js';

interface CourtRow {
  code: string;
  name: string;
  level: Court['level'];
  parent_code: string | null;
  lat: number;
  lon: number;
  address: string;
  contact: string;
  phone: string;
  consultation_endpoint: string;
}

const courtFrom = (r: CourtRow): Court => ({
  code: r.code,
  name: r.name,
  level: r.level,
  parentCode: r.parent_code,
  lat: r.lat,
  lon: r.lon,
  address: r.address,
  contact: r.contact,
  phone: r.phone,
  consultationEndpoint: r.consultation_endpoint,
});

export function listCourts(db: Db): Court[] {
  return (db.prepare('SELECT * FROM courts ORDER BY code').all() as CourtRow[]).map(courtFrom);
}

export function getCourt(db: Db, code: string): Court | undefined {
  const row = db.prepare('SELECT * FROM courts WHERE code = ?').get(code) as CourtRow | undefined;
  return row && courtFrom(row);
}

export function putCourt(db: Db, court: Court): void {
  db.prepare(
    `INSERT INTO courts (code, name, level, parent_code, lat, lon, address, contact, phone, consultation_endpoint)
     VALUES (@code, @name, @level, @parentCode, @lat, @lon, @address, @contact, @phone, @consultationEndpoint)
     ON CONFLICT(code) DO UPDATE SET name = excluded.name, level = excluded.level, parent_code = excluded.parent_code,
       lat = excluded.lat, lon = excluded.lon, address = excluded.address, contact = excluded.contact,
       phone = excluded.phone, consultation_endpoint = excluded.consultation_endpoint`,
  ).run(court);
}

interface PersonRow {
  id: string;
  username: string;
  name: string;
  role: Person['role'];
  court_code: string | null;
  phone: string;
  active: number;
}

const personFrom = (r: PersonRow): Person => ({
  id: r.id,
  username: r.username,
  name: r.name,
  role: r.role,
  court: r.court_code,
  phone: r.phone,
  active: r.active === 1,
});

export function listPeople(db: Db, court: string | null): Person[] {
  const rows = db
    .prepare('SELECT * FROM people WHERE (@court IS NULL OR court_code = @court) ORDER BY username')
    .all({ court }) as PersonRow[];
  return rows.map(personFrom);
}

export function getPerson(db: Db, id: string): Person | undefined {
  const row = db.prepare('SELECT * FROM people WHERE id = ?').get(id) as PersonRow | undefined;
  return row && personFrom(row);
}

export interface NewPerson {
  id?: string;
  username: string;
  name: string;
  role: Person['role'];
  court: string | null;
  phone?: string;
  password?: string;
  /** Pre-computed hash (demo data shares one to keep start-up fast). */
  passwordHash?: string;
}

export function insertPerson(db: Db, p: NewPerson): Person {
  const id = p.id ?? randomUUID();
  const hash = p.passwordHash ?? hashPassword(p.password ?? '');
  db.prepare('INSERT INTO people (id, username, name, role, court_code, phone, password_hash, active) VALUES (?, ?, ?, ?, ?, ?, ?, 1)').run(
    id,
    p.username,
    p.name,
    p.role,
    p.court,
    p.phone ?? '',
    hash,
  );
  return getPerson(db, id)!;
}

export function updatePerson(
  db: Db,
  id: string,
  patch: { name?: string; role?: Person['role']; court?: string | null; phone?: string; password?: string; active?: boolean },
): void {
  const current = getPerson(db, id);
  if (!current) return;
  db.prepare('UPDATE people SET name = ?, role = ?, court_code = ?, phone = ?, active = ? WHERE id = ?').run(
    patch.name ?? current.name,
    patch.role ?? current.role,
    patch.court === undefined ? current.court : patch.court,
    patch.phone ?? current.phone,
    (patch.active ?? current.active) ? 1 : 0,
    id,
  );
  if (patch.password) db.prepare('UPDATE people SET password_hash = ? WHERE id = ?').run(hashPassword(patch.password), id);
  if (patch.active === false || patch.password) db.prepare('DELETE FROM sessions WHERE person_id = ?').run(id);
}

interface UnitRow {
  id: string;
  name: string;
  kind: FieldUnit['kind'];
  court_code: string;
  members: string;
  devices: string;
  call_sign: string;
  status: FieldUnit['status'];
  lat: number | null;
  lon: number | null;
  position_at: string | null;
}

const unitFrom = (r: UnitRow): FieldUnit => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  court: r.court_code,
  members: JSON.parse(r.members) as string[],
  devices: JSON.parse(r.devices) as string[],
  callSign: r.call_sign,
  status: r.status,
  position: r.lat !== null && r.lon !== null && r.position_at ? { lat: r.lat, lon: r.lon, at: r.position_at } : null,
});

export function listUnits(db: Db, court: string | null): FieldUnit[] {
  return (
    db.prepare('SELECT * FROM field_units WHERE (@court IS NULL OR court_code = @court) ORDER BY name').all({ court }) as UnitRow[]
  ).map(unitFrom);
}

export function getUnit(db: Db, id: string): FieldUnit | undefined {
  const row = db.prepare('SELECT * FROM field_units WHERE id = ?').get(id) as UnitRow | undefined;
  return row && unitFrom(row);
}

export function findUnitByDevice(db: Db, deviceId: string): FieldUnit | undefined {
  const row = db.prepare('SELECT f.* FROM field_units f, json_each(f.devices) d WHERE d.value = ? LIMIT 1').get(deviceId) as
    UnitRow | undefined;
  return row && unitFrom(row);
}

export function putUnit(db: Db, unit: Omit<FieldUnit, 'position' | 'status'> & { status?: FieldUnit['status'] }): void {
  db.prepare(
    `INSERT INTO field_units (id, name, kind, court_code, members, devices, call_sign, status)
     VALUES (@id, @name, @kind, @court, @members, @devices, @callSign, @status)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, court_code = excluded.court_code,
       members = excluded.members, devices = excluded.devices, call_sign = excluded.call_sign, status = excluded.status`,
  ).run({ ...unit, members: JSON.stringify(unit.members), devices: JSON.stringify(unit.devices), status: unit.status ?? 'available' });
}

export function setUnitPosition(db: Db, id: string, lat: number, lon: number, at: string): void {
  db.prepare('UPDATE field_units SET lat = ?, lon = ?, position_at = ? WHERE id = ?').run(lat, lon, at, id);
}
