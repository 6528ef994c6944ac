import { describe, expect, it } from 'vitest';
import { consultationRecordSchema, recordingManifestSchema } from '../consultation.js';
import { createIngestListenerSchema, createIngestSourceSchema, liveRoomId } from './ingest.js';
import { moderationRequestSchemas } from './moderation.js';
import { sfuNotificationSchema, sfuRequestSchemas } from './signalling.js';

describe('SFU contracts', () => {
  it('ingest sources need a track and default to what ffmpeg senders need', () => {
    expect(createIngestSourceSchema.safeParse({ name: 'cam' }).success).toBe(false);
    const parsed = createIngestSourceSchema.parse({ name: 'cam', video: { codec: 'H264', ssrc: 7 } });
    expect(parsed.video).toEqual({ codec: 'H264', ssrc: 7, payloadType: 102, profileLevelId: '42e01f' });
    expect(parsed.rtcpMux).toBe(false);
    expect(createIngestSourceSchema.safeParse({ name: 'cam', video: { codec: 'H265', ssrc: 7 } }).success).toBe(false);
    expect(createIngestSourceSchema.safeParse({ name: 'cam', audio: { codec: 'PCMA', ssrc: 0 } }).success).toBe(false);
    expect(createIngestListenerSchema.parse({ room: 'r', ip: '10.0.0.2', port: 30000 }).codec).toBe('opus');
    expect(liveRoomId('abc')).toBe('live:abc');
  });

  it('a roll call asks for courts or a random count, not both', () => {
    const schema = moderationRequestSchemas.startRollCall;
    expect(schema.safeParse({ courts: ['A'], timeoutS: 10 }).success).toBe(true);
    expect(schema.safeParse({ randomCount: 3, timeoutS: 10 }).success).toBe(true);
    expect(schema.safeParse({ courts: ['A'], randomCount: 3, timeoutS: 10 }).success).toBe(false);
    expect(schema.safeParse({ timeoutS: 10 }).success).toBe(false);
    expect(Object.keys(sfuRequestSchemas)).toEqual(
      expect.arrayContaining(['join', 'setTileSize', 'restartIce', 'forceMute', 'answerRollCall']),
    );
  });

  it('consultation records are told apart by kind', () => {
    const base = {
      recordId: 'r1',
      room: 'room',
      sessionId: 's1',
      startedAt: '2026-11-21T10:00:00.000Z',
      endedAt: '2026-11-21T10:01:00.000Z',
      by: { sub: 'leader', name: '院领导' },
      participants: [],
    };
    const rollCall = {
      ...base,
      kind: 'roll_call',
      rollCall: {
        rollCallId: 'rc',
        mode: 'manual',
        timeoutS: 10,
        lateWindowS: 10,
        results: [{ court: 'A', status: 'absent', promptedAt: base.startedAt }],
      },
    };
    expect(consultationRecordSchema.parse(rollCall).kind).toBe('roll_call');
    expect(consultationRecordSchema.safeParse({ ...rollCall, kind: 'recording' }).success).toBe(false);
    expect(consultationRecordSchema.safeParse({ ...base, kind: 'session' }).success).toBe(true);
    expect(consultationRecordSchema.safeParse({ ...base, kind: 'session', extra: 1 }).success).toBe(false);
  });

  it('a recording manifest keeps its segments and the gaps between them (a worker death)', () => {
    const file = {
      path: 'room/rec/a-video-1.mkv',
      peerId: 'p1',
      name: 'a',
      kind: 'video',
      codec: 'vp8',
      bytes: 10,
      sha256: '0'.repeat(64),
      startedAt: '2026-11-21T10:00:00.000Z',
      endedAt: '2026-11-21T10:00:05.000Z',
    };
    const manifest = {
      recordingId: 'rec',
      room: 'room',
      startedAt: '2026-11-21T10:00:00.000Z',
      endedAt: '2026-11-21T10:00:12.000Z',
      startedBy: 'leader',
      participants: [],
      files: [
        { ...file, segment: 1 },
        { ...file, path: 'room/rec/a-video-2.mkv', startedAt: '2026-11-21T10:00:07.000Z', segment: 2 },
      ],
      segments: [
        { segment: 1, startedAt: '2026-11-21T10:00:00.000Z', endedAt: '2026-11-21T10:00:05.000Z' },
        { segment: 2, startedAt: '2026-11-21T10:00:07.000Z', endedAt: '2026-11-21T10:00:12.000Z' },
      ],
      gaps: [{ afterSegment: 1, from: '2026-11-21T10:00:05.000Z', to: '2026-11-21T10:00:07.000Z', reason: 'media worker died' }],
    };
    expect(recordingManifestSchema.parse(manifest)).toEqual(manifest);
    expect(recordingManifestSchema.safeParse({ ...manifest, files: [{ ...file, segment: 0 }] }).success).toBe(false);
    // Manifests written before segments existed still parse.
    expect(recordingManifestSchema.safeParse({ ...manifest, segments: undefined, gaps: undefined, files: [file] }).success).toBe(true);
  });

  it('layout pushes are typed notifications the wall can parse', () => {
    const note = { type: 'notification', event: 'layoutChanged', data: { layout: 'speaker', focusPeerId: 'p1' } };
    expect(sfuNotificationSchema.parse(note)).toEqual(note);
    expect(sfuNotificationSchema.safeParse({ ...note, data: { layout: 'mosaic', focusPeerId: null } }).success).toBe(false);
  });
});
