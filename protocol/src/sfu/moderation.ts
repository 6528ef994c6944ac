/**
 * Moderation, layout, roll call and recording over the SFU signalling socket: the
 * leader's requests, and the room state every participant and the wall follow.
 * The wall joins the room like a participant (role `service` or `viewer`) and renders
 * `roomState.layout` / `layoutChanged`.
 */
import { z } from 'zod';
import { rollCallSchema } from '../consultation.js';

const id = z.string().min(1).max(64);

/** 布局: grid (宫格), speaker (主讲), presentation (演示: a shared screen large). */
export const Layout = { Grid: 'grid', Speaker: 'speaker', Presentation: 'presentation' } as const;
export const layoutSchema = z.enum(['grid', 'speaker', 'presentation']);
export type Layout = z.infer<typeof layoutSchema>;

export const roomStateSchema = z.object({
  /** No one may join while locked. */
  locked: z.boolean(),
  /** Moderated mode: only the floor holder (and leaders) are heard. */
  moderated: z.boolean(),
  /** Who has the floor (发言权), if anyone. */
  floorPeerId: id.nullable(),
  layout: layoutSchema,
  /** Peer shown large in speaker/presentation layouts; null = the active speaker. */
  focusPeerId: id.nullable(),
  /** Server-side recording running (every participant shows an indicator). */
  recording: z.boolean(),
  /** Peers muted by the leader; they cannot unmute themselves. */
  forcedMuted: z.array(id),
  /** Peers asking to speak (举手). */
  handsRaised: z.array(id),
});
export type RoomState = z.infer<typeof roomStateSchema>;

/** Requests only leaders (role leader/admin/duty_officer) may send. */
export const moderationRequestSchemas = {
  giveFloor: z.object({ peerId: id }).strict(),
  takeFloor: z.object({}).strict(),
  setModerated: z.object({ enabled: z.boolean() }).strict(),
  muteAll: z.object({}).strict(),
  /** muted: false lifts a forced mute (the participant then unmutes by itself). */
  forceMute: z.object({ peerId: id, muted: z.boolean() }).strict(),
  lockRoom: z.object({ locked: z.boolean() }).strict(),
  removePeer: z.object({ peerId: id }).strict(),
  setLayout: z.object({ layout: layoutSchema, focusPeerId: id.nullable().default(null) }).strict(),
  /** Courts by hand (`courts`) or `randomCount` picked among the courts present. */
  startRollCall: z
    .object({
      courts: z.array(z.string().min(1).max(32)).min(1).max(100).optional(),
      randomCount: z.number().int().min(1).max(100).optional(),
      timeoutS: z.number().min(1).max(600),
      lateWindowS: z.number().min(0).max(600).optional(),
    })
    .strict()
    .refine((r) => (r.courts === undefined) !== (r.randomCount === undefined), { message: 'give courts or randomCount' }),
  startRecording: z.object({}).strict(),
  stopRecording: z.object({}).strict(),
} as const;

export const moderationResponseSchemas = {
  giveFloor: z.object({}),
  takeFloor: z.object({}),
  setModerated: z.object({}),
  muteAll: z.object({ muted: z.number().int() }),
  forceMute: z.object({}),
  lockRoom: z.object({}),
  removePeer: z.object({}),
  setLayout: z.object({}),
  startRollCall: z.object({ rollCallId: id, courts: z.array(z.string()) }),
  startRecording: z.object({ recordingId: id }),
  stopRecording: z.object({ recordingId: id, files: z.number().int() }),
} satisfies Record<keyof typeof moderationRequestSchemas, z.ZodType>;

/** Requests any participant may send about its own state. */
export const participantRequestSchemas = {
  raiseHand: z.object({ raised: z.boolean() }).strict(),
  /** Answer a roll-call prompt; needs a live camera producer. */
  answerRollCall: z.object({ rollCallId: id }).strict(),
} as const;

export const participantResponseSchemas = {
  raiseHand: z.object({}),
  answerRollCall: z.object({ status: z.enum(['answered', 'late']) }),
} satisfies Record<keyof typeof participantRequestSchemas, z.ZodType>;

const note = <E extends string, D extends z.ZodType>(event: E, data: D) =>
  z.object({ type: z.literal('notification'), event: z.literal(event), data });

/** Server → client moderation events; each line says when it is sent. */
export const moderationNotificationSchemas = [
  /** Any change of the room state (also sent once after join). */
  note('roomState', roomStateSchema),
  /** The leader pushed a layout: participants and the wall follow it. */
  note('layoutChanged', z.object({ layout: layoutSchema, focusPeerId: id.nullable() })),
  /** Your microphone was muted (forced: you cannot unmute until the leader lifts it). */
  note('mutedByLeader', z.object({ forced: z.boolean() })),
  /** You were removed from the room; the socket closes after this. */
  note('removed', z.object({ reason: z.string() })),
  /** Roll call: your court is prompted; answer with `answerRollCall` before `deadline`. */
  note('rollCallPrompt', z.object({ rollCallId: id, court: z.string(), timeoutS: z.number(), deadline: z.string() })),
  /** Roll call progress and final result (to everyone; `done` once it closed). */
  note('rollCallUpdate', z.object({ done: z.boolean(), rollCall: rollCallSchema })),
] as const;
