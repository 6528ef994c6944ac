/**
 * A fast path for checking import records: bulk imports carry millions of nodes and the
 * zod schema costs tens of µs per case. `fastCase` accepts only records that are plainly
 * valid under `caseImportSchema` and returns what zod would return; for anything else it
 * returns undefined and the caller asks zod (which also explains what is wrong).
 * fast-check.test.ts holds the two to the same answers.
 */
import { isDateInput, type CaseImport, type NodeImport } from '@cc/protocol';
import { CASE_COLUMNS, NODE_COLUMNS } from './csv.js';

const CASE_KEYS = new Set<string>([...CASE_COLUMNS, 'nodes']);
/** A node record in JSON: the CSV node columns without the case number it belongs to. */
const NODE_KEYS = new Set<string>(NODE_COLUMNS.filter((c) => c !== 'caseNo'));
const KINDS = new Set(['first', 'resumed', 'preservation']);
const CLOSURES = new Set(['completed', 'terminated_current', 'terminated', 'withdrawn', 'not_enforced', 'rejected']);
const COURT = /^[0-9A-Z]{2,12}$/;
const NODE_TYPE = /^[a-z][a-z0-9_]{1,47}$/;

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const onlyKeys = (o: Plain, allowed: Set<string>): boolean => {
  for (const key in o) if (!allowed.has(key) || o[key] === undefined) return false;
  return true;
};
const int = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const money = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1e13;
const date = (v: unknown): v is string => typeof v === 'string' && isDateInput(v);
const optional = <T>(v: unknown, check: (v: unknown) => v is T): boolean => v === undefined || check(v);

function fastNode(raw: unknown): NodeImport | undefined {
  if (!isPlain(raw) || !onlyKeys(raw, NODE_KEYS)) return undefined;
  const { type, cycle, startedAt, dueAt, doneAt } = raw;
  if (typeof type !== 'string' || !NODE_TYPE.test(type) || !date(startedAt)) return undefined;
  if (!optional(cycle, (v): v is number => int(v, 0, 100)) || !optional(dueAt, date) || !optional(doneAt, date)) return undefined;
  const node: NodeImport = { type, cycle: (cycle as number | undefined) ?? 0, startedAt };
  if (typeof dueAt === 'string') node.dueAt = dueAt;
  if (typeof doneAt === 'string') node.doneAt = doneAt;
  return node;
}

function fastNodes(raw: unknown): NodeImport[] | undefined | false {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length > 500) return false;
  const nodes: NodeImport[] = [];
  for (const item of raw) {
    const node = fastNode(item);
    if (!node) return false;
    nodes.push(node);
  }
  return nodes;
}

const count = (v: unknown, max: number): boolean => optional(v, (x): x is number => int(x, 0, max));

export function fastCase(raw: unknown): CaseImport | undefined {
  if (!isPlain(raw) || !onlyKeys(raw, CASE_KEYS)) return undefined;
  const r = raw;
  if (typeof r.caseNo !== 'string' || r.caseNo.length < 4 || r.caseNo.length > 64) return undefined;
  if (typeof r.court !== 'string' || !COURT.test(r.court) || typeof r.kind !== 'string' || !KINDS.has(r.kind)) return undefined;
  if (!date(r.filedAt) || !money(r.amountOwed) || !optional(r.amountRecovered, money)) return undefined;
  if (!optional(r.closedAt, date) || !optional(r.closureType, (v): v is string => typeof v === 'string' && CLOSURES.has(v)))
    return undefined;
  if ((r.closedAt === undefined) !== (r.closureType === undefined)) return undefined;
  if (!optional(r.handler, (v): v is string => typeof v === 'string' && v.length <= 64)) return undefined;
  if (!count(r.dishonestCount, 1000) || !count(r.consumptionBanCount, 1000) || !count(r.inquiryCount, 100_000)) return undefined;
  const nodes = fastNodes(r.nodes);
  if (nodes === false) return undefined;
  const out: CaseImport = {
    caseNo: r.caseNo,
    court: r.court,
    kind: r.kind as CaseImport['kind'],
    filedAt: r.filedAt,
    amountOwed: r.amountOwed,
    amountRecovered: (r.amountRecovered as number | undefined) ?? 0,
    handler: (r.handler as string | undefined) ?? '',
    dishonestCount: (r.dishonestCount as number | undefined) ?? 0,
    consumptionBanCount: (r.consumptionBanCount as number | undefined) ?? 0,
    inquiryCount: (r.inquiryCount as number | undefined) ?? 0,
  };
  if (r.closedAt !== undefined) out.closedAt = r.closedAt as string;
  if (r.closureType !== undefined) out.closureType = r.closureType as CaseImport['closureType'];
  if (nodes !== undefined) out.nodes = nodes;
  return out;
}
