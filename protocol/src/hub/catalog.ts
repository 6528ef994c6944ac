/**
 * The node catalog (流程节点目录): each flow-node type, its category and its deadline rule.
 * Documented default: docs/node-catalog.md. Admins change it through `/api/v1/catalog`.
 */
import { z } from 'zod';
import { deductionReasonSchema } from './deductions.js';

/** 监督督促 supervised deadline · 提示提醒 reminder · 强制 hard gate. */
export const nodeCategorySchema = z.enum(['supervised', 'reminder', 'gate']);
export type NodeCategory = z.infer<typeof nodeCategorySchema>;

/** 执行完毕 · 终本 · 终结执行 · 销案 · 不予执行 · 驳回申请 (执行工作规定 第64条). */
export const closureTypeSchema = z.enum(['completed', 'terminated_current', 'terminated', 'withdrawn', 'not_enforced', 'rejected']);
export type ClosureType = z.infer<typeof closureTypeSchema>;

/** Calendar days, working days (Mon–Fri; no holiday calendar yet) or calendar months. */
export const deadlineUnitSchema = z.enum(['day', 'working_day', 'month']);

export const nodeTypeCodeSchema = z.string().regex(/^[a-z][a-z0-9_]{1,47}$/, 'node type code: lower-case letters, digits, _');

export const deadlineRuleSchema = z
  .object({
    /** The event that starts the clock (the node's `startedAt`), e.g. `case_filed`, `funds_arrived`. */
    anchor: z.string().min(1).max(64),
    amount: z.number().int().min(0).max(3650),
    unit: deadlineUnitSchema,
    /** 临期 from this many days before the due time. */
    warnDays: z.number().int().min(0).max(365),
    /**
     * Graded reminders (分级临期提醒) inside the 临期 window: days before the due time at which a
     * 临期 node is warned again, e.g. `[15, 7]` with `warnDays: 30`. Absent or `[]`: none.
     */
    remindDays: z
      .array(z.number().int('reminder days: whole days').min(1, 'reminder days: at least 1'))
      .max(5, 'reminder days: at most 5')
      .optional(),
    /** Recurring node (e.g. 终本 re-check every 6 months, 10 times): completing one opens the next. */
    repeat: z
      .object({ everyMonths: z.number().int().min(1).max(120), times: z.number().int().min(2).max(100) })
      .strict()
      .nullable()
      .default(null),
    /**
     * Deduction periods (扣除期间) that stop this node's clock: its due time moves back by the
     * deducted days. Absent: none (the default catalog sets it per type, docs/node-catalog.md).
     */
    deductedBy: z.array(deductionReasonSchema).max(20).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const days = rule.remindDays ?? [];
    days.forEach((day, i) => {
      if (day >= rule.warnDays) ctx.addIssue({ code: 'custom', path: ['remindDays', i], message: 'reminder days: less than warnDays' });
      if (days.indexOf(day) !== i) ctx.addIssue({ code: 'custom', path: ['remindDays', i], message: 'reminder days: duplicate' });
    });
  });
export type DeadlineRule = z.infer<typeof deadlineRuleSchema>;

export const nodeTypeSchema = z
  .object({
    code: nodeTypeCodeSchema,
    /** The Chinese name (节点名称), shown in the zh-CN console. */
    name: z.string().min(1).max(64),
    /**
     * The English name for the English console (absent: it falls back to `name`). Every default
     * type has one (docs/node-catalog.md); a `PUT` without it clears it.
     */
    nameEn: z.string().trim().min(1, 'English name: empty').max(64, 'English name: at most 64 characters').optional(),
    category: nodeCategorySchema,
    rule: deadlineRuleSchema,
    /** While a node of this type is open, the case cannot close with these closure types. */
    blocksClosure: z.array(closureTypeSchema).max(6).default([]),
    /** Where the time limit comes from, and how sure we are (✅ confirmed, 🔶 secondary, ❓ unconfirmed). */
    source: z.string().max(300).default(''),
    confidence: z.enum(['confirmed', 'secondary', 'unconfirmed']).default('unconfirmed'),
    active: z.boolean().default(true),
  })
  .strict();
export type NodeType = z.infer<typeof nodeTypeSchema>;
export const nodeTypePutSchema = nodeTypeSchema.omit({ code: true });
export type NodeTypePut = z.infer<typeof nodeTypePutSchema>;

/** `PUT /api/v1/catalog/calendar/:date`: a statutory holiday or a working weekend day (调休). */
export const calendarDayPutSchema = z.object({ kind: z.enum(['holiday', 'workday']), name: z.string().max(64).default('') }).strict();
export const calendarQuerySchema = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }).strict();

/** `PUT /api/v1/catalog/node-types/:code` answers the stored type and what happened to its open nodes. */
export const nodeTypePutResultSchema = nodeTypeSchema.extend({
  recomputed: z.object({
    /** Open nodes of the type that were re-timed (an unchanged rule re-times none). */
    nodes: z.number().int(),
    /** Of those, how many got a new due time. */
    moved: z.number().int(),
  }),
});
export type NodeTypePutResult = z.infer<typeof nodeTypePutResultSchema>;
