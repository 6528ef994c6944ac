/**
 * 指令 instructions from the command centre to courts and field units; each recipient's
 * delivery and acknowledgement is tracked separately.
 */
import { z } from 'zod';
import { courtCodeSchema } from './orgs.js';

export const instructionRecipientSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('court'), id: courtCodeSchema }).strict(),
  z.object({ kind: z.literal('unit'), id: z.string().min(1).max(64) }).strict(),
]);

export const instructionCreateSchema = z
  .object({
    title: z.string().min(1).max(200),
    content: z.string().min(1).max(8000),
    priority: z.enum(['normal', 'urgent']).default('normal'),
    requireAck: z.boolean().default(true),
    recipients: z.array(instructionRecipientSchema).min(1).max(500),
  })
  .strict();

/** Recipient key as used in URLs and events: `court:<code>` or `unit:<id>`. */
export const recipientKeySchema = z.string().regex(/^(court|unit):[^\s]{1,64}$/, 'recipient: court:<code> or unit:<id>');

export const instructionDeliveredSchema = z.object({ recipient: recipientKeySchema }).strict();
export const instructionAckSchema = z.object({ recipient: recipientKeySchema, note: z.string().max(2000).default('') }).strict();

export const instructionRecipientStatusSchema = z.object({
  recipient: z.string(),
  kind: z.enum(['court', 'unit']),
  court: z.string(),
  state: z.enum(['sent', 'delivered', 'acknowledged']),
  deliveredAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  note: z.string(),
});

export const instructionSchema = z.object({
  id: z.string(),
  title: z.string(),
  content: z.string(),
  priority: z.enum(['normal', 'urgent']),
  requireAck: z.boolean(),
  issuer: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.string(),
  recipients: z.array(instructionRecipientStatusSchema),
});
export type Instruction = z.infer<typeof instructionSchema>;

export const instructionListQuerySchema = z
  .object({
    court: courtCodeSchema.optional(),
    pending: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
