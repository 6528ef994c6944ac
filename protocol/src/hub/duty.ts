/**
 * Duty (值班): posts, rosters (排班), sign-in/sign-out at a post, roll call of posts (查岗),
 * handover between shifts (交接班) and the duty log (值班日志).
 */
import { z } from 'zod';
import { courtCodeSchema } from './orgs.js';

const isoTime = z.string().datetime({ offset: true });
const id = z.string().min(1).max(64);

/** 值班岗位: a place where someone must be on duty (the centre's dispatch desk, a court's duty room). */
export const dutyPostCreateSchema = z
  .object({
    name: z.string().min(1).max(64),
    court: courtCodeSchema,
    description: z.string().max(500).default(''),
  })
  .strict();
export const dutyPostSchema = dutyPostCreateSchema.extend({ id: z.string() });
export type DutyPost = z.infer<typeof dutyPostSchema>;

/** 排班: who is on which post from when to when. */
export const rosterEntryCreateSchema = z
  .object({
    postId: id,
    personId: id,
    startsAt: isoTime,
    endsAt: isoTime,
    note: z.string().max(200).default(''),
  })
  .strict()
  .refine((e) => Date.parse(e.endsAt) > Date.parse(e.startsAt), { message: 'endsAt must be after startsAt', path: ['endsAt'] })
  .refine((e) => Date.parse(e.endsAt) - Date.parse(e.startsAt) <= 7 * 24 * 3600_000, {
    message: 'a roster entry spans at most 7 days',
    path: ['endsAt'],
  });
export const rosterEntrySchema = z.object({
  id: z.string(),
  postId: z.string(),
  personId: z.string(),
  personName: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  note: z.string(),
});
export type RosterEntry = z.infer<typeof rosterEntrySchema>;
export const rosterQuerySchema = z
  .object({ from: isoTime.optional(), to: isoTime.optional(), postId: id.optional(), personId: id.optional() })
  .strict();

/** A shift actually worked: sign-in at a post, sign-out later. */
export const dutyShiftSchema = z.object({
  id: z.string(),
  postId: z.string(),
  personId: z.string(),
  personName: z.string(),
  signedInAt: z.string(),
  signedOutAt: z.string().nullable(),
});
export type DutyShift = z.infer<typeof dutyShiftSchema>;
export const dutySignInSchema = z.object({ postId: id }).strict();
/** `GET /duty/on-duty`: who is signed in now, and who the roster puts on a post now but has not signed in (缺岗). */
export const onDutySchema = z.object({ shifts: z.array(dutyShiftSchema), missing: z.array(rosterEntrySchema) });
export type OnDuty = z.infer<typeof onDutySchema>;

/** 查岗: each listed post must answer within `answerWithinS`; late and absent posts are recorded. */
export const postRollCallCreateSchema = z
  .object({
    postIds: z
      .array(id)
      .min(1)
      .max(200)
      .refine((ids) => new Set(ids).size === ids.length, 'postIds must be unique'),
    answerWithinS: z.number().int().min(10).max(3600).default(60),
    note: z.string().max(200).default(''),
  })
  .strict();
export const postRollCallStatusSchema = z.enum(['pending', 'answered', 'late', 'absent']);
export const postRollCallSchema = z.object({
  id: z.string(),
  startedBy: z.string(),
  startedAt: z.string(),
  deadlineAt: z.string(),
  closedAt: z.string().nullable(),
  note: z.string(),
  posts: z.array(
    z.object({
      postId: z.string(),
      status: postRollCallStatusSchema,
      answeredAt: z.string().nullable(),
      answeredBy: z.string().nullable(),
    }),
  ),
});
export type PostRollCall = z.infer<typeof postRollCallSchema>;
/** Closing a roll call before everyone answered marks the rest absent; a post answering after the deadline is late. */
export const postRollCallAnswerSchema = z.object({ postId: id }).strict();

/** 交接班: the outgoing officer hands the post over with the items still open. */
export const handoverItemSchema = z.object({ text: z.string().min(1).max(500), ref: z.string().max(200).optional() }).strict();
export const handoverCreateSchema = z
  .object({
    postId: id,
    toPersonId: id,
    items: z.array(handoverItemSchema).max(100).default([]),
    notes: z.string().max(2000).default(''),
  })
  .strict();
export const handoverSchema = z.object({
  id: z.string(),
  postId: z.string(),
  fromPersonId: z.string(),
  toPersonId: z.string(),
  items: z.array(handoverItemSchema),
  notes: z.string(),
  status: z.enum(['offered', 'accepted', 'declined']),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
});
export type Handover = z.infer<typeof handoverSchema>;
export const handoverDecisionSchema = z.object({ accept: z.boolean(), reason: z.string().max(500).default('') }).strict();

/** 值班日志 entries. `at` is when it happened (defaults to now, never in the future). */
export const dutyLogKindSchema = z.enum(['note', 'alarm', 'call', 'instruction', 'visit', 'equipment', 'other']);
export const dutyLogCreateSchema = z
  .object({
    postId: id.optional(),
    court: courtCodeSchema.optional(),
    kind: dutyLogKindSchema.default('note'),
    text: z.string().min(1).max(4000),
    at: isoTime.optional(),
  })
  .strict();
export const dutyLogEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  recordedAt: z.string(),
  postId: z.string().nullable(),
  court: z.string().nullable(),
  authorId: z.string(),
  authorName: z.string(),
  kind: dutyLogKindSchema,
  text: z.string(),
});
export type DutyLogEntry = z.infer<typeof dutyLogEntrySchema>;
export const dutyLogQuerySchema = z
  .object({
    from: isoTime.optional(),
    to: isoTime.optional(),
    postId: id.optional(),
    court: courtCodeSchema.optional(),
    /** Entries with an id greater than this (paging). */
    after: z.coerce.number().int().nonnegative().default(0),
    limit: z.coerce.number().int().min(1).max(5000).default(500),
  })
  .strict();

/** Events of the duty feature (merged into `hubEventSchemas`). */
export const dutyEventSchemas = {
  /** Someone signed in or out at a duty post. */
  'duty.shift': z.object({ postId: z.string(), personId: z.string(), shiftId: z.string(), action: z.enum(['signed_in', 'signed_out']) }),
  /** The roster changed (refetch the affected window). */
  'duty.roster': z.object({ entryId: z.string(), postId: z.string(), action: z.enum(['created', 'deleted']) }),
  /** A roll call started, a post answered, or it closed. */
  'duty.roll_call': z.object({
    rollCallId: z.string(),
    action: z.enum(['started', 'answered', 'closed']),
    postId: z.string().optional(),
    status: postRollCallStatusSchema.optional(),
  }),
  /** A handover was offered, accepted or declined. */
  'duty.handover': z.object({ handoverId: z.string(), postId: z.string(), status: z.enum(['offered', 'accepted', 'declined']) }),
  /** A duty-log entry was written. */
  'duty.log': z.object({ entryId: z.number().int(), postId: z.string().nullable(), kind: dutyLogKindSchema }),
} satisfies Record<string, z.ZodType>;
