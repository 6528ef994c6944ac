/**
 * 事项委托 item delegation: court A asks court B to do something in B's region (freeze,
 * seal, investigate …); B accepts or rejects, does it by the deadline and returns the
 * result with a receipt (回执); A confirms receipt.
 */
import { z } from 'zod';
import { caseNoSchema, dateInputSchema } from './cases.js';
import { courtCodeSchema } from './orgs.js';

export const delegationStateSchema = z.enum(['requested', 'accepted', 'rejected', 'completed', 'confirmed']);
export type DelegationState = z.infer<typeof delegationStateSchema>;

/** Delegable items (内黄法院 rule mirroring the SPC list, flow-nodes.md §3.2). */
export const delegationItemSchema = z.enum([
  'freeze_deposit',
  'renew_freeze',
  'release_freeze',
  'equity_freeze_notice',
  'seal_property',
  'renew_seal',
  'release_seal',
  'investigate_assets',
  'other',
]);

export const delegationCreateSchema = z
  .object({
    /** Required for the centre; a court user always delegates from its own court. */
    fromCourt: courtCodeSchema.optional(),
    toCourt: courtCodeSchema,
    caseNo: caseNoSchema.optional(),
    item: delegationItemSchema,
    content: z.string().min(1).max(4000),
    /** Default: the catalog rule `delegated_item` counted from now. */
    dueAt: dateInputSchema.optional(),
  })
  .strict();

export const delegationRejectSchema = z.object({ reason: z.string().min(1).max(2000) }).strict();
export const delegationCompleteSchema = z
  .object({ result: z.string().min(1).max(4000), receiptNo: z.string().max(64).default('') })
  .strict();

export const delegationListQuerySchema = z
  .object({
    court: courtCodeSchema.optional(),
    direction: z.enum(['outgoing', 'incoming', 'any']).default('any'),
    state: delegationStateSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const delegationSchema = z.object({
  id: z.string(),
  fromCourt: z.string(),
  toCourt: z.string(),
  caseNo: z.string().nullable(),
  item: delegationItemSchema,
  content: z.string(),
  dueAt: z.string(),
  state: delegationStateSchema,
  overdue: z.boolean(),
  result: z.string(),
  receiptNo: z.string(),
  rejectReason: z.string(),
  createdBy: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Delegation = z.infer<typeof delegationSchema>;
