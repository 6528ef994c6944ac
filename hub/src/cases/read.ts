/** Reads of cases and nodes for the API (court-scoped by the caller). */
import type { Case, FlowNode } from '@cc/protocol';
import type { Db } from '../store/database.js';
import { catalogOf } from '../catalog/repository.js';
import { iso, isoOrNull } from '../deadlines/calendar.js';
import { nodeWriterOf, stateNames, type CaseRow, type NodeRow } from './store.js';

export function toCase(r: CaseRow): Case {
  return {
    caseNo: r.case_no,
    court: r.court_code,
    kind: r.kind,
    filedAt: iso(r.filed_at),
    amountOwed: r.amount_owed,
    amountRecovered: r.amount_recovered,
    closedAt: isoOrNull(r.closed_at),
    closureType: r.closure_type,
    handler: r.handler,
    dishonestCount: r.dishonest_count,
    consumptionBanCount: r.ban_count,
    inquiryCount: r.inquiry_count,
  };
}

export function toNode(db: Db, n: NodeRow & { case_no: string }): FlowNode {
  return {
    id: n.id,
    caseNo: n.case_no,
    court: n.court_code,
    type: n.type,
    category: catalogOf(db).get(n.type)?.category ?? null,
    cycle: n.cycle,
    startedAt: iso(n.started_at),
    dueAt: iso(n.due_at),
    doneAt: isoOrNull(n.done_at),
    state: stateNames[n.state] ?? 'pending',
  };
}

export function listCases(db: Db, q: { court: string | null; status?: 'open' | 'closed'; limit: number; after?: string }): Case[] {
  const rows = db
    .prepare(
      `SELECT * FROM cases WHERE (@court IS NULL OR court_code = @court) AND case_no > @after
         AND (@status IS NULL OR (@status = 'open') = (closed_at IS NULL))
       ORDER BY case_no LIMIT @limit`,
    )
    .all({ court: q.court, status: q.status ?? null, limit: q.limit, after: q.after ?? '' }) as CaseRow[];
  return rows.map(toCase);
}

export function nodesOfCase(db: Db, caseId: number, caseNo: string): FlowNode[] {
  const rows = db.prepare('SELECT * FROM flow_nodes WHERE case_id = ? ORDER BY started_at, type, cycle').all(caseId) as NodeRow[];
  return rows.map((n) => toNode(db, { ...n, case_no: caseNo }));
}

/**
 * 临期 or 超期 nodes, oldest due first, keyset-paged by (due, id); uses the partial index
 * flow_nodes_open, and merges in nodes a bulk import has staged but not yet swept into it (store.ts).
 */
export function listOpenNodes(
  db: Db,
  q: { court: string | null; state: 1 | 2; type?: string; limit: number; afterDue?: number; afterId?: number },
): FlowNode[] {
  const courts = q.court !== null ? [q.court] : (db.prepare('SELECT code FROM courts').all() as { code: string }[]).map((c) => c.code);
  const select = `SELECT n.*, c.case_no FROM flow_nodes n JOIN cases c ON c.id = n.case_id
     WHERE n.court_code = @court AND n.state = @state AND (n.due_at, n.id) > (@afterDue, @afterId)
       AND (@type IS NULL OR n.type = @type)`;
  // Per court through the index, then merged: no sort over all open nodes. The literal conditions
  // repeat the partial index's: SQLite uses a partial index only when the query states them (an
  // equality with a bound parameter does not count), else it scans every node.
  const indexed = db.prepare(`${select} AND n.state IN (1, 2) AND n.staged IS NULL ORDER BY n.due_at, n.id LIMIT @limit`);
  const params = { state: q.state, type: q.type ?? null, limit: q.limit, afterDue: q.afterDue ?? -1, afterId: q.afterId ?? -1 };
  const rows = courts.flatMap((court) => indexed.all({ ...params, court }) as (NodeRow & { case_no: string })[]);
  if (nodeWriterOf(db).hasStaged()) {
    // Staged nodes: at most a sweep's worth (SWEEP_ROWS) plus a slice, found through their own index.
    const staged = db.prepare(`${select} AND n.staged IS NOT NULL ORDER BY n.due_at, n.id LIMIT @limit`);
    for (const court of courts) rows.push(...(staged.all({ ...params, court }) as (NodeRow & { case_no: string })[]));
  }
  rows.sort((a, b) => a.due_at - b.due_at || a.id - b.id);
  return rows.slice(0, q.limit).map((n) => toNode(db, n));
}

export function openNodeCounts(db: Db, court: string | null): { court: string; dueSoon: number; overdue: number }[] {
  const rows = db
    .prepare('SELECT court_code, state, n FROM node_state_counts WHERE (@court IS NULL OR court_code = @court) ORDER BY court_code')
    .all({ court }) as { court_code: string; state: number; n: number }[];
  const byCourt = new Map<string, { court: string; dueSoon: number; overdue: number }>();
  for (const r of rows) {
    const entry = byCourt.get(r.court_code) ?? { court: r.court_code, dueSoon: 0, overdue: 0 };
    if (r.state === 1) entry.dueSoon = r.n;
    if (r.state === 2) entry.overdue = r.n;
    byCourt.set(r.court_code, entry);
  }
  return [...byCourt.values()];
}
