/**
 * Wall statistics per court and in total over a period (China-time calendar days,
 * inclusive). Rates follow ../shared/domain/flow-nodes.md §2 (see docs/node-catalog.md):
 * 执结率 = closed ÷ (carried over + received); 到位率 = recovered ÷ owed over the cases
 * closed in the period; 终本率 = 终本 closures ÷ closures. Rates are null when the
 * denominator is 0. Node and open-督办 counts are as of now.
 */
import { z } from 'zod';

export const statsQuerySchema = z
  .object({
    /** First day (default: 1 January of the current year). */
    from: z.iso.date().optional(),
    /** Last day, inclusive (default: today). */
    to: z.iso.date().optional(),
  })
  .strict();

export const statsMetricSchema = z.enum([
  'received',
  'closed',
  'closeRate',
  'recoveryRate',
  'terminatedRate',
  'overdueNodes',
  'supervisionOpen',
  'dishonest',
  'inquiries',
]);
export type StatsMetric = z.infer<typeof statsMetricSchema>;

export const statsRankingQuerySchema = statsQuerySchema
  .extend({
    metric: statsMetricSchema,
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();

export const statsFiguresSchema = z.object({
  /** 新收 */
  received: z.number().int(),
  /** 旧存: open at the start of the period. */
  carriedOver: z.number().int(),
  /** 结案 */
  closed: z.number().int(),
  closedCompleted: z.number().int(),
  closedTerminated: z.number().int(),
  /** 执结率 */
  closeRate: z.number().nullable(),
  /** 执行完毕率 */
  completedRate: z.number().nullable(),
  /** 终本率 */
  terminatedRate: z.number().nullable(),
  amountOwed: z.number(),
  amountRecovered: z.number(),
  /** 到位率 */
  recoveryRate: z.number().nullable(),
  dishonest: z.number().int(),
  consumptionBans: z.number().int(),
  inquiries: z.number().int(),
  dueSoonNodes: z.number().int(),
  overdueNodes: z.number().int(),
  supervisionOpen: z.number().int(),
  supervisionEscalated: z.number().int(),
  supervisionClosed: z.number().int(),
});
export type StatsFigures = z.infer<typeof statsFiguresSchema>;

export const courtStatsSchema = statsFiguresSchema.extend({ court: z.string(), name: z.string() });

export const statsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  at: z.string(),
  total: statsFiguresSchema,
  courts: z.array(courtStatsSchema),
});
export type StatsResponse = z.infer<typeof statsResponseSchema>;

export const statsRankingSchema = z.object({
  metric: statsMetricSchema,
  from: z.string(),
  to: z.string(),
  ranking: z.array(z.object({ rank: z.number().int(), court: z.string(), name: z.string(), value: z.number().nullable() })),
});
