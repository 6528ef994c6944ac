/**
 * CSV imports (UTF-8, header line first): a cases file (one row per case, no nodes) and
 * a nodes file (one row per node, keyed by case number). Rows become JSON import
 * records; malformed CSV or unknown columns reject the whole file.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { ErrorCode, ProtocolError } from '@cc/protocol';

export const CASE_COLUMNS = [
  'caseNo',
  'court',
  'kind',
  'filedAt',
  'amountOwed',
  'amountRecovered',
  'closedAt',
  'closureType',
  'handler',
  'dishonestCount',
  'consumptionBanCount',
  'inquiryCount',
] as const;
export const NODE_COLUMNS = ['caseNo', 'type', 'cycle', 'startedAt', 'dueAt', 'doneAt'] as const;
const NUMERIC = new Set(['amountOwed', 'amountRecovered', 'dishonestCount', 'consumptionBanCount', 'inquiryCount', 'cycle']);

export interface CsvRecords {
  records: Record<string, unknown>[];
  /** Line number of each record (the header is line 1). */
  lines: number[];
}

/** Parses CSV text into records; empty cells are left out, numeric cells become numbers when they are numbers. */
export function csvRecords(text: string, columns: readonly string[], required: readonly string[]): CsvRecords {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, info: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (cause) {
    throw new ProtocolError(
      ErrorCode.BadRequest,
      { csv: (cause as Error).message },
      { cause, message: `Malformed CSV: ${(cause as Error).message}` },
    );
  }
  const header = rows[0]?.record;
  const data = rows.slice(1);
  if (!header) throw new ProtocolError(ErrorCode.ValidationFailed, { csv: 'empty file' });
  const unknown = header.filter((h) => !columns.includes(h));
  const missing = required.filter((c) => !header.includes(c));
  if (unknown.length > 0 || missing.length > 0)
    throw new ProtocolError(ErrorCode.ValidationFailed, { unknownColumns: unknown, missingColumns: missing });
  const records = data.map(({ record: cells }) => {
    const record: Record<string, unknown> = {};
    header.forEach((column, i) => {
      const cell = cells[i]?.trim() ?? '';
      if (cell === '') return;
      record[column] = NUMERIC.has(column) && /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell;
    });
    return record;
  });
  return { records, lines: data.map((row) => row.info.lines) };
}
