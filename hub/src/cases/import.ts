/**
 * Bulk import of cases and their flow nodes (JSON records; CSV is converted to the same
 * records). Every record is checked first (schema, unknown fields, court, duplicates in
 * the file, future dates, node types); the accepted ones are written in ONE transaction
 * with one audit entry, so a failure leaves nothing half-written. Idempotent by case
 * number: re-importing updates, never duplicates.
 */
import { caseImportSchema, type CaseImport, type ImportRejection, type ImportReport, type NodeType } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { catalogOf } from '../catalog/repository.js';
import { computeDue, parseDateInput, type HolidayCalendar } from '../deadlines/calendar.js';
import { calendarOf } from '../catalog/calendar.js';
import { StatsDelta } from '../stats/aggregates.js';
import { CaseWriter, type ValidCase } from './case-writer.js';
import { fastCase } from './fast-check.js';
import { nodeWriterOf } from './store.js';
import type { NodeWrite } from './store.js';

type Check = { ok: true; value: ValidCase } | { ok: false; rejection: Omit<ImportRejection, 'row' | 'caseNo'> };
const reject = (reason: ImportRejection['reason'], detail: string): Check => ({ ok: false, rejection: { reason, detail } });

function checkNodes(input: CaseImport, catalog: Map<string, NodeType>, now: number, calendar: HolidayCalendar): NodeWrite[] | Check {
  const nodes: NodeWrite[] = [];
  const seen = new Set<string>();
  const list = input.nodes ?? [];
  for (let i = 0; i < list.length; i++) {
    const n = list[i]!;
    const type = catalog.get(n.type);
    if (!type) return reject('unknown_node_type', `nodes.${i}.type: ${n.type}`);
    const key = `${n.type}|${n.cycle}`;
    if (seen.has(key)) return reject('duplicate_node', `nodes.${i}: ${n.type} cycle ${n.cycle} appears twice`);
    seen.add(key);
    const startedAt = parseDateInput(n.startedAt);
    const doneAt = n.doneAt === undefined ? null : parseDateInput(n.doneAt);
    if (startedAt > now) return reject('future_date', `nodes.${i}.startedAt: ${n.startedAt}`);
    if (doneAt !== null && doneAt > now) return reject('future_date', `nodes.${i}.doneAt: ${n.doneAt}`);
    const dueAt = n.dueAt === undefined ? computeDue(startedAt, type.rule, calendar) : parseDateInput(n.dueAt);
    nodes.push({ type, cycle: n.cycle, startedAt, dueAt, doneAt });
  }
  return nodes;
}

/** What every record is checked against, read once per file. */
interface CheckContext {
  courts: Set<string>;
  /** The only court a court user may import for. */
  scope: string | null;
  catalog: Map<string, NodeType>;
  calendar: HolidayCalendar;
  now: number;
}

function checkRecord(raw: unknown, { courts, scope, catalog, calendar, now }: CheckContext): Check {
  const fast = fastCase(raw);
  const parsed = fast ? ({ success: true, data: fast } as const) : caseImportSchema.safeParse(raw);
  if (!parsed.success) {
    const unknown = parsed.error.issues.find((i) => i.code === 'unrecognized_keys');
    if (unknown) return reject('unknown_field', `${unknown.path.join('.') || '(record)'}: ${unknown.keys.join(', ')}`);
    const issue = parsed.error.issues[0];
    return reject('invalid', `${issue?.path.join('.') || '(record)'}: ${issue?.message ?? 'invalid'}`);
  }
  const r = parsed.data;
  if (!courts.has(r.court)) return reject('unknown_court', `court: ${r.court}`);
  if (scope !== null && r.court !== scope) return reject('forbidden_court', `court: ${r.court} (you may import only ${scope})`);
  const filedAt = parseDateInput(r.filedAt);
  const closedAt = r.closedAt === undefined ? null : parseDateInput(r.closedAt);
  if (filedAt > now) return reject('future_date', `filedAt: ${r.filedAt}`);
  if (closedAt !== null && closedAt > now) return reject('future_date', `closedAt: ${r.closedAt}`);
  if (closedAt !== null && closedAt < filedAt) return reject('invalid', 'closedAt: before filedAt');
  const nodes = r.nodes === undefined ? undefined : checkNodes(r, catalog, now, calendar);
  if (nodes !== undefined && !Array.isArray(nodes)) return nodes;
  const { caseNo, court, kind, amountOwed, amountRecovered, handler, dishonestCount, consumptionBanCount, inquiryCount } = r;
  return {
    ok: true,
    value: {
      row: 0,
      ...{ caseNo, court, kind, amountOwed, amountRecovered, handler, dishonestCount, consumptionBanCount, inquiryCount },
      filedAt,
      closedAt,
      closureType: r.closureType ?? null,
      nodes,
    },
  };
}

const caseNoOf = (raw: unknown): string | null => {
  const no = (raw as { caseNo?: unknown } | null)?.caseNo;
  return typeof no === 'string' ? no : null;
};

/** How often each case number occurs in the file (duplicates are rejected, all of them). */
export function countCaseNos(records: readonly unknown[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const raw of records) {
    const no = caseNoOf(raw);
    if (no !== null) counts.set(no, (counts.get(no) ?? 0) + 1);
  }
  return counts;
}

/** Checks records; `rows` gives each record's row number for the report (default: its index). */
export function checkRecords(
  ctx: HubContext,
  actor: Actor,
  records: readonly unknown[],
  rows?: readonly number[],
  counts: Map<string, number> = countCaseNos(records),
) {
  const context: CheckContext = {
    courts: new Set((ctx.db.prepare('SELECT code FROM courts').all() as { code: string }[]).map((c) => c.code)),
    scope: actor.role === 'court_user' && actor.court ? actor.court : null,
    catalog: catalogOf(ctx.db),
    calendar: calendarOf(ctx.db),
    now: ctx.now(),
  };
  const accepted: ValidCase[] = [];
  const rejected: ImportRejection[] = [];
  records.forEach((raw, index) => {
    const row = rows?.[index] ?? index;
    const caseNo = caseNoOf(raw);
    if (caseNo !== null && (counts.get(caseNo) ?? 0) > 1) {
      rejected.push({
        row,
        caseNo,
        reason: 'duplicate_case_no',
        detail: `caseNo ${caseNo} appears ${counts.get(caseNo)} times in this file`,
      });
      return;
    }
    const check = checkRecord(raw, context);
    if (check.ok) accepted.push({ ...check.value, row });
    else rejected.push({ row, caseNo, ...check.rejection });
  });
  return { accepted, rejected };
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
): ImportReport {
  const now = ctx.now();
  const catalog = catalogOf(ctx.db);
  const writer = new CaseWriter(ctx.db, nodeWriterOf(ctx.db));
  return ctx.mutate(actor, 'cases.import', ({ emit }) => {
    const delta = new StatsDelta();
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
    delta.apply(ctx.db);
    rejected.sort((a, b) => a.row - b.row);
    for (const [court, figures] of perCourt) emit({ type: 'cases.imported', court, data: { court, ...figures } });
    const summary = { ...report, rejected: rejected.length, courts: [...perCourt.keys()] };
    return { value: report, target: 'cases:import', after: summary };
  });
}
