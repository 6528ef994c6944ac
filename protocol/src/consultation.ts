/**
 * Consultation records (远程会商记录) the SFU sends to the hub: roll-call results
 * (视频点名 / 随机抽查), recording manifests and session summaries.
 *
 * - `POST ${hubUrl}/api/v1/consultations/records` body `consultationRecordSchema`,
 *   service-authorized; the hub answers `201 { recordId }` (idempotent on `recordId`).
 * - `GET  ${hubUrl}/api/v1/consultations/records?room=ID` answers `consultationRecordListSchema`.
 */
import { z } from 'zod';
import { roleSchema } from './join-token.js';

export const CONSULTATION_RECORDS_PATH = '/api/v1/consultations/records';

const isoTime = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(128);

export const RecordKind = { RollCall: 'roll_call', Recording: 'recording', Session: 'session' } as const;
export const recordKindSchema = z.enum(['roll_call', 'recording', 'session']);

export const consultationParticipantSchema = z.object({
  /** Stable id of the person or device (join token `sub`). */
  sub: z.string(),
  name: z.string(),
  role: roleSchema,
  court: z.string().optional(),
  joinedAt: isoTime,
  leftAt: isoTime.optional(),
});
export type ConsultationParticipant = z.infer<typeof consultationParticipantSchema>;

/** answered: within the time limit; late: after it, before the roll call closed; absent: never. */
export const RollCallStatus = { Answered: 'answered', Late: 'late', Absent: 'absent' } as const;
export const rollCallStatusSchema = z.enum(['answered', 'late', 'absent']);
export type RollCallStatus = z.infer<typeof rollCallStatusSchema>;

export const rollCallResultSchema = z.object({
  court: z.string(),
  /** Who answered (or who was present for the court when prompted). */
  name: z.string().optional(),
  sub: z.string().optional(),
  status: rollCallStatusSchema,
  promptedAt: isoTime,
  answeredAt: isoTime.optional(),
  /** answeredAt − promptedAt. */
  responseMs: z.number().int().nonnegative().optional(),
});
export type RollCallResult = z.infer<typeof rollCallResultSchema>;

export const rollCallSchema = z.object({
  rollCallId: id,
  /** manual: the leader picked the courts; random: 随机抽查. */
  mode: z.enum(['manual', 'random']),
  timeoutS: z.number().positive(),
  /** Answers after `timeoutS` and before `timeoutS + lateWindowS` count as late. */
  lateWindowS: z.number().nonnegative(),
  results: z.array(rollCallResultSchema),
});
export type RollCall = z.infer<typeof rollCallSchema>;

export const recordingFileSchema = z.object({
  /** Relative to the SFU data directory's `recordings/` folder. */
  path: z.string(),
  peerId: z.string(),
  name: z.string(),
  court: z.string().optional(),
  kind: z.enum(['audio', 'video']),
  /** Codec as ffprobe names it: vp8, h264, opus, pcm_alaw, pcm_mulaw. */
  codec: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  startedAt: isoTime,
  endedAt: isoTime,
  /** Segment of the recording this file belongs to (1, 2, …): a new one starts after a media worker died. */
  segment: z.number().int().positive().optional(),
});
export type RecordingFile = z.infer<typeof recordingFileSchema>;

/** 录像清单: each file's SHA-256 makes tampering detectable; the manifest itself is stored at the hub. */
export const recordingManifestSchema = z.object({
  recordingId: id,
  room: id,
  startedAt: isoTime,
  endedAt: isoTime,
  startedBy: z.string(),
  participants: z.array(consultationParticipantSchema),
  files: z.array(recordingFileSchema),
  /** The recording's segments: one, plus one more after each media-worker death it survived. */
  segments: z.array(z.object({ segment: z.number().int().positive(), startedAt: isoTime, endedAt: isoTime })).optional(),
  /** Times nothing was recorded (between a worker death and the rebuilt room's recording). */
  gaps: z.array(z.object({ afterSegment: z.number().int().positive(), from: isoTime, to: isoTime, reason: z.string() })).optional(),
});
export type RecordingManifest = z.infer<typeof recordingManifestSchema>;

const recordBase = {
  /** Unique; a repeated POST with the same id is a no-op at the hub. */
  recordId: id,
  room: id,
  /** One SFU room lifetime (a room recreated after a worker death keeps its session id). */
  sessionId: id,
  startedAt: isoTime,
  endedAt: isoTime,
  /** Who ran it (leader's join token `sub`/`name`). */
  by: z.object({ sub: z.string(), name: z.string(), court: z.string().optional() }),
  participants: z.array(consultationParticipantSchema),
};

export const consultationRecordSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('roll_call'), ...recordBase, rollCall: rollCallSchema }).strict(),
  z.object({ kind: z.literal('recording'), ...recordBase, manifest: recordingManifestSchema }).strict(),
  z.object({ kind: z.literal('session'), ...recordBase }).strict(),
]);
export type ConsultationRecord = z.infer<typeof consultationRecordSchema>;

export const consultationRecordListSchema = z.object({ records: z.array(consultationRecordSchema) });
export type ConsultationRecordList = z.infer<typeof consultationRecordListSchema>;
