/**
 * The checks every import record goes through (schema, unknown fields, court, the caller's
 * scope, duplicates in the file, future dates, node types, due times). Pure functions over a
 * `CheckContext` read once per import, so the same code runs on the hub's thread and in the
 * import check worker (check-worker.ts).
 */
import { caseImportSchema, type CaseImport, type ImportRejection, type NodeType } from '@cc/protocol';
import { computeDue, parseDateInput, type HolidayCalendar } from '../deadlines/calendar.js';
import type { ValidCase } from './case-writer.js';
import { fastCase } from './fast-check.js';
import type { NodeWrite } from './store.js';

/** What every record is checked against, read once per import. */
export interface CheckContext {
  courts: Set<string>;
  /** The only court a court user may import for. */
  scope: string | null;
  catalog: Map<string, NodeType>;
  calendar: HolidayCalendar;
  now: number;
}

export interface Checked {
  accepted: ValidCase[];
  rejected: ImportRejection[];
}

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

export function checkRecord(raw: unknown, { courts, scope, catalog, calendar, now }: CheckContext): Check {
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

export const caseNoOf = (raw: unknown): string | null => {
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

/** Only the case numbers that occur more than once, with their counts (usually none). */
export function duplicateCaseNos(records: readonly unknown[]): Map<string, number> {
  const duplicates = new Map<string, number>();
  for (const [no, n] of countCaseNos(records)) if (n > 1) duplicates.set(no, n);
  return duplicates;
}

/**
 * Checks records; `rows` gives each record's row number for the report (default: its index),
 * `counts` how often each case number occurs in the whole file (only counts above 1 matter).
 */
export function checkWith(
  context: CheckContext,
  records: readonly unknown[],
  rows: readonly number[] | undefined,
  counts: Map<string, number>,
): Checked {
  const accepted: ValidCase[] = [];
  const rejected: ImportRejection[] = [];
  for (let index = 0; index < records.length; index++) {
    const raw = records[index];
    const row = rows?.[index] ?? index;
    const caseNo = caseNoOf(raw);
    const occurs = caseNo === null ? 0 : (counts.get(caseNo) ?? 0);
    if (occurs > 1) {
      rejected.push({ row, caseNo, reason: 'duplicate_case_no', detail: `caseNo ${caseNo} appears ${occurs} times in this file` });
      continue;
    }
    const check = checkRecord(raw, context);
    if (check.ok) {
      check.value.row = row;
      accepted.push(check.value);
    } else rejected.push({ row, caseNo, ...check.rejection });
  }
  return { accepted, rejected };
}
