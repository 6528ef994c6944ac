/**
 * Statutory deduction periods (扣除期间 / 不计入期限): time that by law does not count toward
 * a deadline, recorded on a case. Each node type's rule lists the reasons that stop its clock
 * (`rule.deductedBy`, see catalog.ts); sources in docs/node-catalog.md.
 */
import { z } from 'zod';

/**
 * Why the clock stops. All but the last two are listed in 法释〔2000〕29号 第9条 ✅; the
 * 民诉法 第237条 period also excludes 管辖争议/执行争议协调 (执行程序解释 第13条 ✅);
 * 委托执行在途 has no source in ../shared/domain/flow-nodes.md ❓.
 */
export const deductionReasonSchema = z.enum([
  /** 中止执行至恢复执行的期间 */
  'suspension',
  /** 执行和解/执行担保后决定暂缓执行的期间 */
  'stay_settlement',
  /** 上级法院通知暂缓执行的期间 */
  'stay_upper_court',
  /** 公告期间 */
  'public_notice',
  /** 鉴定期间 */
  'appraisal',
  /** 审计、评估、资产清理期间 */
  'audit_valuation',
  /** 执行中拍卖、变卖被查封、扣押财产的期间 */
  'auction',
  /** 管辖争议处理、执行争议协调期间 (执行程序解释 第13条) */
  'dispute_coordination',
  /** 委托执行在途 (no source found ❓) */
  'entrustment_transit',
]);
export type DeductionReason = z.infer<typeof deductionReasonSchema>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isRealDay = (text: string): boolean => {
  if (!DAY.test(text)) return false;
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};
/** A China-time calendar day `YYYY-MM-DD`. */
export const deductionDaySchema = z.string().refine(isRealDay, 'expected a date YYYY-MM-DD');

/**
 * `POST /api/v1/cases/:caseNo/deductions`. The period is `[startedOn, endedOn)` in whole
 * China-time days: suspended on 1 March and resumed on 10 March deducts 9 days. Without
 * `endedOn` the period is open: the clocks it stops stay stopped until it is ended.
 */
export const deductionCreateSchema = z
  .object({
    reason: deductionReasonSchema,
    startedOn: deductionDaySchema,
    endedOn: deductionDaySchema.optional(),
    note: z.string().max(500).default(''),
  })
  .strict();
export type DeductionCreate = z.infer<typeof deductionCreateSchema>;

/** `PATCH /api/v1/cases/:caseNo/deductions/:id`: ends an open period. */
export const deductionEndSchema = z.object({ endedOn: deductionDaySchema }).strict();

export const deductionSchema = z.object({
  id: z.number().int(),
  caseNo: z.string(),
  reason: deductionReasonSchema,
  startedOn: z.string(),
  endedOn: z.string().nullable(),
  /** Whole days deducted so far (an open period counts up to today). */
  days: z.number().int(),
  note: z.string(),
  recordedBy: z.string(),
  recordedAt: z.string(),
  endedBy: z.string().nullable(),
});
export type Deduction = z.infer<typeof deductionSchema>;

/** What recording or ending a period did to the case's open nodes. */
export const deductionResultSchema = z.object({
  deduction: deductionSchema,
  /** Open nodes whose due time moved. */
  moved: z.number().int(),
});
export type DeductionResult = z.infer<typeof deductionResultSchema>;
