/**
 * Imports over HTTP: the same checks and writes as `importCases`, in slices, with the event
 * loop free between slices so alarms and the event stream never wait behind a 30 MB file.
 * The whole file is checked before anything is written (a bad file writes nothing); then each
 * slice is one transaction with its audit entry. Should a write fail part-way (disk full),
 * the earlier slices stay: re-importing the file is safe, imports being idempotent.
 */
import type { ImportRejection, ImportReport } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import type { ValidCase } from './case-writer.js';
import { checkRecords, countCaseNos, writeChecked } from './import.js';

const SLICE = 2000;
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function importCasesSliced(
  ctx: HubContext,
  actor: Actor,
  records: readonly unknown[],
  rows?: readonly number[],
): Promise<ImportReport> {
  const counts = countCaseNos(records);
  const accepted: ValidCase[] = [];
  const rejected: ImportRejection[] = [];
  for (let i = 0; i < records.length; i += SLICE) {
    const sliceRows = Array.from({ length: Math.min(SLICE, records.length - i) }, (_, k) => rows?.[i + k] ?? i + k);
    const checked = checkRecords(ctx, actor, records.slice(i, i + SLICE), sliceRows, counts);
    accepted.push(...checked.accepted);
    rejected.push(...checked.rejected);
    await yieldToLoop();
  }
  const report: ImportReport = { received: records.length, accepted: 0, created: 0, updated: 0, nodes: 0, rejected };
  for (let i = 0; i < accepted.length || i === 0; i += SLICE) {
    const blocked: ImportRejection[] = [];
    const part = writeChecked(ctx, actor, 0, accepted.slice(i, i + SLICE), blocked);
    report.accepted += part.accepted;
    report.created += part.created;
    report.updated += part.updated;
    report.nodes += part.nodes;
    rejected.push(...blocked);
    if (i + SLICE < accepted.length) await yieldToLoop();
  }
  rejected.sort((a, b) => a.row - b.row);
  return report;
}
