/**
 * Turns a nodes CSV (one row per node) into import records: the stored case plus its
 * rows. Rows of unknown cases and repeated (case, type, cycle) rows are rejected here.
 */
import type { ImportRejection } from '@cc/protocol';
import type { Db } from '../store/database.js';
import type { CsvRecords } from './csv.js';
import { toCase } from './read.js';
import type { CaseRow } from './store.js';

export function nodeRecords(db: Db, csv: CsvRecords): { records: unknown[]; lines: number[]; rejected: ImportRejection[] } {
  const find = db.prepare('SELECT * FROM cases WHERE case_no = ?');
  const byCase = new Map<string, { line: number; nodes: Record<string, unknown>[] }>();
  const rejected: ImportRejection[] = [];
  const seen = new Set<string>();
  csv.records.forEach((row, i) => {
    const line = csv.lines[i] ?? i + 2;
    const caseNo = typeof row.caseNo === 'string' ? row.caseNo : null;
    if (caseNo === null) return rejected.push({ row: line, caseNo, reason: 'invalid', detail: 'caseNo: missing' });
    const key = `${caseNo}|${String(row.type)}|${String(row.cycle ?? 0)}`;
    if (seen.has(key))
      return rejected.push({
        row: line,
        caseNo,
        reason: 'duplicate_node',
        detail: `${String(row.type)} cycle ${String(row.cycle ?? 0)} repeated`,
      });
    seen.add(key);
    const { caseNo: _omit, ...node } = row;
    const entry = byCase.get(caseNo) ?? { line, nodes: [] };
    entry.nodes.push(node);
    byCase.set(caseNo, entry);
  });
  const records: unknown[] = [];
  const lines: number[] = [];
  for (const [caseNo, entry] of byCase) {
    const stored = find.get(caseNo) as CaseRow | undefined;
    if (!stored) {
      rejected.push({
        row: entry.line,
        caseNo,
        reason: 'unknown_case',
        detail: `case ${caseNo} is not imported yet (${entry.nodes.length} node rows)`,
      });
      continue;
    }
    const c = toCase(stored);
    const { closedAt, closureType, ...rest } = c;
    records.push({ ...rest, ...(closedAt ? { closedAt, closureType } : {}), nodes: entry.nodes });
    lines.push(entry.line);
  }
  return { records, lines, rejected };
}
