/**
 * Enforcement cases (执行案件) and their flow nodes (流程节点): the bulk import schema
 * (JSON and CSV, from the national case system in production), its report, and reads.
 */
import { z } from 'zod';
import { closureTypeSchema, nodeCategorySchema, nodeTypeCodeSchema } from './catalog.js';
import { courtCodeSchema } from './orgs.js';
import { deductionSchema } from './deductions.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const knownDates = new Set<string>();

/** True for a real calendar date `YYYY-MM-DD` or an ISO date-time with offset (cheap: bulk imports check millions). */
export function isDateInput(text: string): boolean {
  if (knownDates.has(text)) return true;
  const m = DATE.exec(text);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    const ok = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
    // Imports repeat the same few thousand days millions of times: remember the valid ones.
    if (ok && knownDates.size < 100_000) knownDates.add(text);
    return ok;
  }
  return DATE_TIME.test(text) && !Number.isNaN(Date.parse(text));
}

/** A calendar date (`2024-03-01`, read as 00:00 China time) or an ISO date-time with offset. */
export const dateInputSchema = z.string().refine(isDateInput, 'expected a date YYYY-MM-DD or an ISO date-time with offset');

/** 首执 · 执恢 · 执保. */
export const caseKindSchema = z.enum(['first', 'resumed', 'preservation']);
export type CaseKind = z.infer<typeof caseKindSchema>;

export const caseNoSchema = z.string().min(4).max(64);

const money = z.number().min(0).max(1e13);

/** One flow node in an import record; identity within its case is (type, cycle). */
export const nodeImportSchema = z
  .object({
    type: nodeTypeCodeSchema,
    /** Occurrence of a recurring node (0 for the first). */
    cycle: z.number().int().min(0).max(100).default(0),
    /** When the clock started (the catalog rule's anchor event). */
    startedAt: dateInputSchema,
    /** Overrides the catalog's computed due time (e.g. a freeze term set in the ruling). */
    dueAt: dateInputSchema.optional(),
    doneAt: dateInputSchema.optional(),
  })
  .strict();
export type NodeImport = z.infer<typeof nodeImportSchema>;

/** One case in an import; re-importing the same `caseNo` updates it (nodes are upserted by type+cycle). */
export const caseImportSchema = z
  .object({
    caseNo: caseNoSchema,
    court: courtCodeSchema,
    kind: caseKindSchema,
    filedAt: dateInputSchema,
    /** 申请执行标的额 (yuan). */
    amountOwed: money,
    /** 实际到位金额 (yuan). */
    amountRecovered: money.default(0),
    closedAt: dateInputSchema.optional(),
    closureType: closureTypeSchema.optional(),
    handler: z.string().max(64).default(''),
    /** Debtors placed on the 失信 list / under 限制消费 in this case. */
    dishonestCount: z.number().int().min(0).max(1000).default(0),
    consumptionBanCount: z.number().int().min(0).max(1000).default(0),
    /** 网络查控 searches run in this case. */
    inquiryCount: z.number().int().min(0).max(100000).default(0),
    /** Absent: the case's stored nodes are kept (CSV case files carry no nodes). */
    nodes: z.array(nodeImportSchema).max(500).optional(),
  })
  .strict()
  .refine((c) => (c.closedAt === undefined) === (c.closureType === undefined), {
    message: 'closedAt and closureType go together',
    path: ['closureType'],
  });
export type CaseImport = z.infer<typeof caseImportSchema>;

/** Most records one import request may carry. */
export const CASE_IMPORT_MAX_RECORDS = 200_000;

/** `POST /api/v1/cases/import` with `application/json`. Records are checked one by one. */
export const caseImportBodySchema = z.object({ records: z.array(z.unknown()).min(1).max(CASE_IMPORT_MAX_RECORDS) }).strict();

/** Why a row was rejected. */
export const importRejectReasonSchema = z.enum([
  'invalid',
  'unknown_field',
  'unknown_court',
  'duplicate_case_no',
  'future_date',
  'unknown_node_type',
  'duplicate_node',
  'closure_blocked',
  'unknown_case',
  'forbidden_court',
]);
export type ImportRejectReason = z.infer<typeof importRejectReasonSchema>;

export const importRejectionSchema = z.object({
  /** 0-based record index (JSON) or 1-based data line number (CSV, header is line 1). */
  row: z.number().int(),
  caseNo: z.string().nullable(),
  reason: importRejectReasonSchema,
  detail: z.string(),
});
export type ImportRejection = z.infer<typeof importRejectionSchema>;

export const importReportSchema = z.object({
  received: z.number().int(),
  accepted: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  nodes: z.number().int(),
  rejected: z.array(importRejectionSchema),
});
export type ImportReport = z.infer<typeof importReportSchema>;

/** 待办 / 临期 / 超期 / 已办. */
export const nodeStateSchema = z.enum(['pending', 'due_soon', 'overdue', 'done']);
export type NodeState = z.infer<typeof nodeStateSchema>;

export const flowNodeSchema = z.object({
  id: z.number().int(),
  caseNo: z.string(),
  court: z.string(),
  type: z.string(),
  category: nodeCategorySchema.nullable(),
  cycle: z.number().int(),
  startedAt: z.string(),
  dueAt: z.string(),
  doneAt: z.string().nullable(),
  state: nodeStateSchema,
  /** Case detail only, when deduction periods moved the due time: the due time without them. */
  baseDueAt: z.string().optional(),
  /** Case detail only: an open deduction period stops this node's clock (no 临期/超期 while it runs). */
  paused: z.boolean().optional(),
});
export type FlowNode = z.infer<typeof flowNodeSchema>;

export const caseSchema = z.object({
  caseNo: z.string(),
  court: z.string(),
  kind: caseKindSchema,
  filedAt: z.string(),
  amountOwed: z.number(),
  amountRecovered: z.number(),
  closedAt: z.string().nullable(),
  closureType: closureTypeSchema.nullable(),
  handler: z.string(),
  dishonestCount: z.number().int(),
  consumptionBanCount: z.number().int(),
  inquiryCount: z.number().int(),
  nodes: z.array(flowNodeSchema).optional(),
  /** Case detail: deduction periods (扣除期间), open and closed. */
  deductions: z.array(deductionSchema).optional(),
});
export type Case = z.infer<typeof caseSchema>;

export const caseListQuerySchema = z
  .object({
    court: courtCodeSchema.optional(),
    status: z.enum(['open', 'closed']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    /** Continue after this case number (keyset paging). */
    after: z.string().max(64).optional(),
  })
  .strict();

export const nodeListQuerySchema = z
  .object({
    court: courtCodeSchema.optional(),
    state: z.enum(['due_soon', 'overdue']),
    type: nodeTypeCodeSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** Continue after this due time (ISO) + node id. */
    afterDue: z.iso.datetime({ offset: true }).optional(),
    afterId: z.coerce.number().int().optional(),
  })
  .strict();

export const nodeCompleteSchema = z.object({ doneAt: dateInputSchema.optional() }).strict();
export const caseCloseSchema = z
  .object({ closureType: closureTypeSchema, closedAt: dateInputSchema.optional(), amountRecovered: money.optional() })
  .strict();

/** Counts of open nodes by court and state (the console's "overdue by court" board). */
export const nodeCountsSchema = z.object({
  courts: z.array(z.object({ court: z.string(), dueSoon: z.number().int(), overdue: z.number().int() })),
});
