/**
 * 督办 supervision orders: issued to a court about a case (and optionally one of its
 * nodes) with a deadline; the court replies; the issuer accepts or returns it; an order
 * not answered by its deadline escalates (levels 1–3).
 */
import { z } from 'zod';
import { caseNoSchema, dateInputSchema } from './cases.js';

export const supervisionStateSchema = z.enum(['issued', 'replied', 'accepted', 'returned']);
export type SupervisionState = z.infer<typeof supervisionStateSchema>;

export const supervisionCreateSchema = z
  .object({
    caseNo: caseNoSchema,
    nodeId: z.number().int().positive().optional(),
    content: z.string().min(1).max(2000),
    /** When the court must have replied. */
    dueAt: dateInputSchema,
  })
  .strict();

export const supervisionReplySchema = z.object({ content: z.string().min(1).max(4000) }).strict();
export const supervisionAcceptSchema = z.object({ comment: z.string().max(2000).default('') }).strict();
export const supervisionReturnSchema = z.object({ comment: z.string().min(1).max(2000), dueAt: dateInputSchema.optional() }).strict();

export const supervisionListQuerySchema = z
  .object({
    court: z.string().max(12).optional(),
    state: supervisionStateSchema.optional(),
    escalated: z.enum(['true', 'false']).optional(),
    /** One case's orders only (the case panel's 督办 list). */
    caseNo: caseNoSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** Continue after the last order of the page that gave this `nextCursor` (same filters; opaque to clients). */
    cursor: z
      .string()
      .max(400)
      .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor this list gave')
      .optional(),
  })
  .strict();

export const supervisionHistoryEntrySchema = z.object({
  at: z.string(),
  actor: z.object({ id: z.string(), name: z.string() }),
  action: z.enum(['issued', 'replied', 'accepted', 'returned', 'escalated']),
  comment: z.string(),
});

export const supervisionOrderSchema = z.object({
  id: z.string(),
  caseNo: z.string(),
  nodeId: z.number().int().nullable(),
  court: z.string(),
  issuer: z.object({ id: z.string(), name: z.string() }),
  content: z.string(),
  dueAt: z.string(),
  state: supervisionStateSchema,
  /** 0 = not escalated; 1 at the deadline, 2 three days later, 3 seven days later. */
  level: z.number().int(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  history: z.array(supervisionHistoryEntrySchema).optional(),
});
export type SupervisionOrder = z.infer<typeof supervisionOrderSchema>;

/** One page of the list, newest first; `nextCursor` asks for the next page, null on the last one. */
export const supervisionListSchema = z.object({
  orders: z.array(supervisionOrderSchema),
  nextCursor: z.string().nullable(),
});
export type SupervisionList = z.infer<typeof supervisionListSchema>;
