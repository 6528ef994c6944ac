/** Stores wall documents (walls, scenes, tours, schedules) with every version kept (plain functions over the db). */
import type { WallDoc, WallDocKind } from '@cc/protocol';
import type { Db } from '../store/database.js';

interface DocRow {
  id: string;
  kind: WallDocKind;
  wall_id: string | null;
  version: number;
  body: string;
  updated_at: string;
  updated_by: string;
}
const docFrom = <B>(r: DocRow): WallDoc<B> => ({
  id: r.id,
  wallId: r.wall_id,
  version: r.version,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
  body: JSON.parse(r.body) as B,
});

export function getDoc<B>(db: Db, kind: WallDocKind, id: string): WallDoc<B> | undefined {
  const row = db.prepare('SELECT * FROM wall_docs WHERE kind = ? AND id = ?').get(kind, id) as DocRow | undefined;
  return row && docFrom<B>(row);
}

export function listDocs<B>(db: Db, kind: WallDocKind, wallId: string | null): WallDoc<B>[] {
  const rows = db
    .prepare('SELECT * FROM wall_docs WHERE kind = @kind AND (@wall IS NULL OR wall_id = @wall) ORDER BY updated_at, id')
    .all({ kind, wall: wallId }) as DocRow[];
  return rows.map((r) => docFrom<B>(r));
}

/** Writes a new version (1 for a new document) and records it in the history. */
export function putDoc<B>(db: Db, kind: WallDocKind, doc: Omit<WallDoc<B>, 'updatedAt'> & { at: string }): WallDoc<B> {
  const body = JSON.stringify(doc.body);
  db.prepare(
    `INSERT INTO wall_docs (id, kind, wall_id, version, body, updated_at, updated_by) VALUES (@id, @kind, @wallId, @version, @body, @at, @updatedBy)
     ON CONFLICT(id) DO UPDATE SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run({ id: doc.id, kind, wallId: doc.wallId, version: doc.version, body, at: doc.at, updatedBy: doc.updatedBy });
  db.prepare('INSERT INTO wall_doc_versions (id, version, kind, body, at, by) VALUES (?, ?, ?, ?, ?, ?)').run(
    doc.id,
    doc.version,
    kind,
    body,
    doc.at,
    doc.updatedBy,
  );
  return getDoc<B>(db, kind, doc.id)!;
}

/** Deletes a document; the history keeps a tombstone version with no body. */
export function deleteDoc(db: Db, kind: WallDocKind, doc: WallDoc<unknown>, at: string, by: string): void {
  db.prepare('DELETE FROM wall_state WHERE wall_id = ?').run(doc.id);
  db.prepare('DELETE FROM wall_docs WHERE id = ?').run(doc.id);
  db.prepare('INSERT INTO wall_doc_versions (id, version, kind, body, at, by) VALUES (?, ?, ?, NULL, ?, ?)').run(
    doc.id,
    doc.version + 1,
    kind,
    at,
    by,
  );
}

export function docVersions(db: Db, id: string): { version: number; at: string; by: string; body: unknown }[] {
  const rows = db.prepare('SELECT version, at, by, body FROM wall_doc_versions WHERE id = ? ORDER BY version').all(id) as {
    version: number;
    at: string;
    by: string;
    body: string | null;
  }[];
  return rows.map((r) => ({ version: r.version, at: r.at, by: r.by, body: r.body === null ? null : (JSON.parse(r.body) as unknown) }));
}
