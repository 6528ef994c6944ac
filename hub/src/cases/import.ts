/**
 * Bulk import of cases and their flow nodes (JSON records; CSV is converted to the same
 * records). Every record is checked first (schema, unknown fields, court, duplicates in
 * the file, future dates, node types); the accepted ones are written in ONE transaction
 * with one audit entry, so a failure leaves nothing half-written. Idempotent by case
 * number: re-importing updates, never duplicates.
 */
import type { ImportRejection, ImportReport } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { catalogOf } from '../catalog/repository.js';
import { calendarOf } from '../catalog/calendar.js';
import { StatsDelta, type DeferredDayStats } from '../stats/aggregates.js';
import { CaseWriter, type ValidCase } from './case-writer.js';
import { checkWith, countCaseNos, type CheckContext, type Checked } from './check.js';
import { nodeWriterOf } from './store.js';

export { countCaseNos } from './check.js';

/** What the records of an import are checked against, read once per import. */
export function checkContextOf(ctx: HubContext, actor: Actor): CheckContext {
  return {
    courts: new Set((ctx.db.prepare('SELECT code FROM courts').all() as { code: string }[]).map((c) => c.code)),
    scope: actor.role === 'court_user' && actor.court ? actor.court : null,
    catalog: catalogOf(ctx.db),
    calendar: calendarOf(ctx.db),
    now: ctx.now(),
  };
}

/** Checks records; `rows` gives each record's row number for the report (default: its index). */
export function checkRecords(
  ctx: HubContext,
  actor: Actor,
  records: readonly unknown[],
  rows?: readonly number[],
  counts: Map<string, number> = countCaseNos(records),
): Checked {
  return checkWith(checkContextOf(ctx, actor), records, rows, counts);
}

/**
 * Imports records in the JSON import schema (`caseImportSchema`); used by the HTTP routes
 * and the demo generator. One transaction, one audit entry, one `cases.imported` event per court.
 */
export function importCases(ctx: HubContext, actor: Actor, records: readonly unknown[], rows?: readonly number[]): ImportReport {
  const { accepted, rejected } = checkRecords(ctx, actor, records, rows);
  return writeChecked(ctx, actor, records.length, accepted, rejected);
}

export function writeChecked(
  ctx: HubContext,
  actor: Actor,
  received: number,
  accepted: ValidCase[],
  rejected: ImportRejection[],
  /** A bulk import's day figures, written at its end (the totals and node counts are written here). */
  deferred?: DeferredDayStats,
): ImportReport {
  const now = ctx.now();
  const catalog = catalogOf(ctx.db);
  const writer = new CaseWriter(ctx.db, nodeWriterOf(ctx.db));
  const delta = new StatsDelta();
  const report = ctx.mutate(actor, 'cases.import', ({ emit }) => {
    const perCourt = new Map<string, { cases: number; nodes: number }>();
    const report: ImportReport = { received, accepted: 0, created: 0, updated: 0, nodes: 0, rejected };
    for (const c of accepted) {
      const outcome = writer.write(c, catalog, now, delta);
      if (!outcome.ok) {
        rejected.push({
          row: c.row,
          caseNo: c.caseNo,
          reason: 'closure_blocked',
          detail: `open nodes block ${c.closureType}: ${outcome.blockedBy.join(', ')}`,
        });
        continue;
      }
      report.accepted++;
      report[outcome.created ? 'created' : 'updated']++;
      report.nodes += outcome.nodes;
      const court = perCourt.get(c.court) ?? { cases: 0, nodes: 0 };
      court.cases++;
      court.nodes += outcome.nodes;
      perCourt.set(c.court, court);
    }
    if (deferred) delta.applyTotals(ctx.db);
    else delta.apply(ctx.db);
    rejected.sort((a, b) => a.row - b.row);
    for (const [court, figures] of perCourt) emit({ type: 'cases.imported', court, data: { court, ...figures } });
    const summary = { ...report, rejected: rejected.length, courts: [...perCourt.keys()] };
    return { value: report, target: 'cases:import', after: summary };
  });
  // Committed: the slice's day figures join the import's (a failed slice's never do).
  deferred?.add(delta);
  return report;
}
