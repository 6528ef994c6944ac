/** Reads and writes of duty posts, the roster, shifts and the duty log (plain functions over the db). */
import { randomUUID } from 'node:crypto';
import type { DutyLogEntry, DutyPost, DutyShift, RosterEntry } from '@cc/protocol';
import type { Db } from '../store/database.js';

interface PostRow {
  id: string;
  name: string;
  court_code: string;
  description: string;
}
const postFrom = (r: PostRow): DutyPost => ({ id: r.id, name: r.name, court: r.court_code, description: r.description });

export function listPosts(db: Db, court: string | null): DutyPost[] {
  const rows = db
    .prepare('SELECT * FROM duty_posts WHERE (@court IS NULL OR court_code = @court) ORDER BY court_code, name')
    .all({ court });
  return (rows as PostRow[]).map(postFrom);
}

export function getPost(db: Db, id: string): DutyPost | undefined {
  const row = db.prepare('SELECT * FROM duty_posts WHERE id = ?').get(id) as PostRow | undefined;
  return row && postFrom(row);
}

export function insertPost(db: Db, post: Omit<DutyPost, 'id'> & { id?: string }): DutyPost {
  const created = { id: post.id ?? randomUUID(), name: post.name, court: post.court, description: post.description };
  db.prepare('INSERT INTO duty_posts (id, name, court_code, description) VALUES (@id, @name, @court, @description)').run(created);
  return created;
}

interface RosterRow {
  id: string;
  post_id: string;
  person_id: string;
  person_name: string;
  starts_at: string;
  ends_at: string;
  note: string;
}
const rosterFrom = (r: RosterRow): RosterEntry => ({
  id: r.id,
  postId: r.post_id,
  personId: r.person_id,
  personName: r.person_name,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  note: r.note,
});

export interface RosterFilter {
  from?: string | undefined;
  to?: string | undefined;
  postId?: string | undefined;
  personId?: string | undefined;
  court?: string | null;
}

export function listRoster(db: Db, f: RosterFilter): RosterEntry[] {
  const rows = db
    .prepare(
      `SELECT r.*, p.name AS person_name FROM duty_roster r JOIN people p ON p.id = r.person_id JOIN duty_posts d ON d.id = r.post_id
       WHERE (@from IS NULL OR r.ends_at > @from) AND (@to IS NULL OR r.starts_at < @to)
         AND (@post IS NULL OR r.post_id = @post) AND (@person IS NULL OR r.person_id = @person)
         AND (@court IS NULL OR d.court_code = @court)
       ORDER BY r.starts_at, r.post_id LIMIT 5000`,
    )
    .all({ from: iso(f.from), to: iso(f.to), post: f.postId ?? null, person: f.personId ?? null, court: f.court ?? null }) as RosterRow[];
  return rows.map(rosterFrom);
}

/** Stored times are normalised to UTC ISO strings so they compare as text. */
export const iso = (time: string | undefined): string | null => (time === undefined ? null : new Date(time).toISOString());

export function getRosterEntry(db: Db, id: string): RosterEntry | undefined {
  const row = db.prepare('SELECT r.*, p.name AS person_name FROM duty_roster r JOIN people p ON p.id = r.person_id WHERE r.id = ?').get(id);
  return row ? rosterFrom(row as RosterRow) : undefined;
}

/** The person's entries that overlap [startsAt, endsAt). */
export function overlappingRoster(db: Db, personId: string, startsAt: string, endsAt: string): string[] {
  const rows = db
    .prepare('SELECT id FROM duty_roster WHERE person_id = ? AND starts_at < ? AND ends_at > ?')
    .all(personId, iso(endsAt), iso(startsAt)) as { id: string }[];
  return rows.map((r) => r.id);
}

export function insertRosterEntry(db: Db, e: Omit<RosterEntry, 'id' | 'personName'>): RosterEntry {
  const id = randomUUID();
  db.prepare('INSERT INTO duty_roster (id, post_id, person_id, starts_at, ends_at, note) VALUES (?, ?, ?, ?, ?, ?)').run(
    id,
    e.postId,
    e.personId,
    iso(e.startsAt),
    iso(e.endsAt),
    e.note,
  );
  return getRosterEntry(db, id)!;
}

interface ShiftRow {
  id: string;
  post_id: string;
  person_id: string;
  person_name: string;
  signed_in_at: string;
  signed_out_at: string | null;
}
const shiftFrom = (r: ShiftRow): DutyShift => ({
  id: r.id,
  postId: r.post_id,
  personId: r.person_id,
  personName: r.person_name,
  signedInAt: r.signed_in_at,
  signedOutAt: r.signed_out_at,
});
const SHIFT_SELECT = 'SELECT s.*, p.name AS person_name FROM duty_shifts s JOIN people p ON p.id = s.person_id';

export function openShift(db: Db, postId: string, personId: string): DutyShift | undefined {
  const row = db.prepare(`${SHIFT_SELECT} WHERE s.post_id = ? AND s.person_id = ? AND s.signed_out_at IS NULL`).get(postId, personId);
  return row ? shiftFrom(row as ShiftRow) : undefined;
}

/** Who is signed in now, per post (optionally one court's posts). */
export function onDuty(db: Db, court: string | null): DutyShift[] {
  const rows = db
    .prepare(
      `${SHIFT_SELECT} JOIN duty_posts d ON d.id = s.post_id WHERE s.signed_out_at IS NULL AND (@court IS NULL OR d.court_code = @court)
       ORDER BY s.post_id, s.signed_in_at`,
    )
    .all({ court }) as ShiftRow[];
  return rows.map(shiftFrom);
}

export function signIn(db: Db, postId: string, personId: string, at: string): DutyShift {
  const id = randomUUID();
  db.prepare('INSERT INTO duty_shifts (id, post_id, person_id, signed_in_at) VALUES (?, ?, ?, ?)').run(id, postId, personId, at);
  return openShift(db, postId, personId)!;
}

export function signOut(db: Db, shiftId: string, at: string): DutyShift {
  db.prepare('UPDATE duty_shifts SET signed_out_at = ? WHERE id = ?').run(at, shiftId);
  return shiftFrom(db.prepare(`${SHIFT_SELECT} WHERE s.id = ?`).get(shiftId) as ShiftRow);
}

interface LogRow {
  id: number;
  at: string;
  recorded_at: string;
  post_id: string | null;
  court_code: string | null;
  author_id: string;
  author_name: string;
  kind: DutyLogEntry['kind'];
  text: string;
}
const logFrom = (r: LogRow): DutyLogEntry => ({
  id: r.id,
  at: r.at,
  recordedAt: r.recorded_at,
  postId: r.post_id,
  court: r.court_code,
  authorId: r.author_id,
  authorName: r.author_name,
  kind: r.kind,
  text: r.text,
});

export function appendLog(db: Db, e: Omit<DutyLogEntry, 'id'>): DutyLogEntry {
  const info = db
    .prepare(
      `INSERT INTO duty_log (at, recorded_at, post_id, court_code, author_id, author_name, kind, text)
       VALUES (@at, @recordedAt, @postId, @court, @authorId, @authorName, @kind, @text)`,
    )
    .run(e);
  return { id: Number(info.lastInsertRowid), ...e };
}

export interface LogFilter {
  from?: string | undefined;
  to?: string | undefined;
  postId?: string | undefined;
  court: string | null;
  after: number;
  limit: number;
}

export function listLog(db: Db, f: LogFilter): DutyLogEntry[] {
  const rows = db
    .prepare(
      `SELECT * FROM duty_log WHERE id > @after AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at < @to)
         AND (@post IS NULL OR post_id = @post) AND (@court IS NULL OR court_code = @court)
       ORDER BY id LIMIT @limit`,
    )
    .all({ after: f.after, from: iso(f.from), to: iso(f.to), post: f.postId ?? null, court: f.court, limit: f.limit }) as LogRow[];
  return rows.map(logFrom);
}
