/**
 * Wall definitions (大屏): the physical wall (a grid of monitors with bezels, or one LED canvas),
 * the machine displays that show parts of it, scenes (预案: windows with a source and a rectangle
 * on the wall canvas), tours (轮巡) and schedules. Every document carries a version; an update
 * names the version it replaces (optimistic concurrency) and the hub keeps every version.
 */
import { z } from 'zod';

const name = z.string().min(1).max(64);
const px = z.number().int().min(1).max(65_536);

/** A rectangle on the wall canvas, in canvas pixels (origin top left). */
export const wallRectSchema = z.object({ x: z.number().int().min(0), y: z.number().int().min(0), w: px, h: px }).strict();
export type WallRect = z.infer<typeof wallRectSchema>;

export const monitorSchema = z
  .object({
    widthPx: px,
    heightPx: px,
    /** Visible area of one monitor, for bezel compensation. */
    activeWidthMm: z.number().positive().max(10_000),
    activeHeightMm: z.number().positive().max(10_000),
    /** Frame width on each side; the canvas hides the pixels "behind" two neighbouring frames. */
    bezelMm: z.number().min(0).max(200).default(0),
  })
  .strict();

export const wallLayoutSchema = z.discriminatedUnion('kind', [
  /** 拼接屏: rows × cols identical monitors. */
  z
    .object({
      kind: z.literal('grid'),
      rows: z.number().int().min(1).max(16),
      cols: z.number().int().min(1).max(16),
      monitor: monitorSchema,
    })
    .strict(),
  /** LED 屏: one seamless canvas. */
  z.object({ kind: z.literal('led'), widthPx: px, heightPx: px }).strict(),
]);
export type WallLayout = z.infer<typeof wallLayoutSchema>;

/** Canvas size of a layout: a grid adds the bezel gaps (in pixels of the monitor's pitch) between monitors. */
export function wallCanvas(layout: WallLayout): { width: number; height: number; gapX: number; gapY: number } {
  if (layout.kind === 'led') return { width: layout.widthPx, height: layout.heightPx, gapX: 0, gapY: 0 };
  const m = layout.monitor;
  const gapX = Math.round(((2 * m.bezelMm) / m.activeWidthMm) * m.widthPx);
  const gapY = Math.round(((2 * m.bezelMm) / m.activeHeightMm) * m.heightPx);
  return {
    width: layout.cols * m.widthPx + (layout.cols - 1) * gapX,
    height: layout.rows * m.heightPx + (layout.rows - 1) * gapY,
    gapX,
    gapY,
  };
}

/** Which part of the canvas a machine display shows (Electron display id, or the Chromium window's screen index). */
export const wallDisplaySchema = z
  .object({ displayId: z.string().min(1).max(64), label: z.string().max(64).default(''), rect: wallRectSchema })
  .strict();

export const wallBodySchema = z
  .object({
    name,
    layout: wallLayoutSchema,
    displays: z
      .array(wallDisplaySchema)
      .max(64)
      .default([])
      .refine((d) => new Set(d.map((x) => x.displayId)).size === d.length, 'displayId must be unique'),
  })
  .strict();

/** What a window shows: a device's live video, an SFU stream, a consultation, or one of the renderer's boards. */
export const wallSourceSchema = z
  .object({
    kind: z.enum(['device', 'stream', 'consultation', 'map', 'stats', 'alarms', 'cases', 'duty', 'url']),
    /** Device id, stream id, room id, board name or local URL. */
    ref: z.string().max(500).default(''),
  })
  .strict();
export type WallSource = z.infer<typeof wallSourceSchema>;

export const sceneWindowSchema = z
  .object({
    id: z.string().min(1).max(64),
    title: z.string().max(64).default(''),
    source: wallSourceSchema,
    rect: wallRectSchema,
    /** Stacking order; windows may overlap. */
    z: z.number().int().min(0).max(1000).default(0),
  })
  .strict();

/** 预案: windows on the canvas. */
export const sceneBodySchema = z
  .object({
    name,
    windows: z
      .array(sceneWindowSchema)
      .max(256)
      .refine((w) => new Set(w.map((x) => x.id)).size === w.length, 'window ids must be unique'),
  })
  .strict();

const dwellS = z.number().int().min(3).max(86_400);
/** 轮巡: show scenes one after another, or rotate sources through one window of a scene. */
export const tourBodySchema = z
  .object({
    name,
    /** Source steps rotate through this window of this scene. */
    target: z
      .object({ sceneId: z.string().min(1), windowId: z.string().min(1) })
      .strict()
      .optional(),
    steps: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('scene'), sceneId: z.string().min(1), dwellS }).strict(),
          z.object({ kind: z.literal('source'), source: wallSourceSchema, dwellS }).strict(),
        ]),
      )
      .min(1)
      .max(500),
    loop: z.boolean().default(true),
  })
  .strict()
  .refine((t) => t.target || t.steps.every((s) => s.kind === 'scene'), { message: 'source steps need a target window', path: ['target'] });

/**
 * Which step of a tour shows at `at` for a tour activated at `activatedAt`, and until when: every
 * wall window computes the same answer from the `wall.activated` event, with no extra messages.
 * A tour without `loop` ends (null) after its last step.
 */
export function tourStepAt(
  tour: Pick<TourBody, 'steps' | 'loop'>,
  activatedAt: number,
  at: number,
): { index: number; endsAt: number } | null {
  const total = tour.steps.reduce((sum, step) => sum + step.dwellS * 1000, 0);
  const elapsed = Math.max(0, at - activatedAt);
  if (total === 0 || (!tour.loop && elapsed >= total)) return null;
  let offset = elapsed % total;
  let start = at - offset;
  for (const [index, step] of tour.steps.entries()) {
    const dwell = step.dwellS * 1000;
    if (offset < dwell) return { index, endsAt: start + dwell };
    offset -= dwell;
    start += dwell;
  }
  return null;
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
/** When a scene or tour activates: weekdays (1 = Monday … 7 = Sunday) and a daily window in local time. */
export const scheduleBodySchema = z
  .object({
    name,
    activate: z.object({ kind: z.enum(['scene', 'tour']), id: z.string().min(1) }).strict(),
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5, 6, 7]),
    start: hhmm,
    /** Exclusive; an end before the start runs past midnight. */
    end: hhmm,
    /** Minutes east of UTC of the wall's local time (China: +480). */
    utcOffsetMin: z.number().int().min(-720).max(840).default(480),
    /** The higher wins when windows overlap. */
    priority: z.number().int().min(0).max(100).default(0),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((s) => s.start !== s.end, { message: 'start and end must differ', path: ['end'] });

export const WallDocKind = { Wall: 'wall', Scene: 'scene', Tour: 'tour', Schedule: 'schedule' } as const;
export type WallDocKind = (typeof WallDocKind)[keyof typeof WallDocKind];

/** A stored document: its body plus identity and version. */
export const wallDocMetaSchema = z.object({
  id: z.string(),
  /** The wall a scene, tour or schedule belongs to (null for walls). */
  wallId: z.string().nullable(),
  version: z.number().int().positive(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type WallDocMeta = z.infer<typeof wallDocMetaSchema>;
export type WallDoc<B> = WallDocMeta & { body: B };
export type WallBody = z.infer<typeof wallBodySchema>;
export type SceneBody = z.infer<typeof sceneBodySchema>;
export type TourBody = z.infer<typeof tourBodySchema>;
export type ScheduleBody = z.infer<typeof scheduleBodySchema>;

/** PUT body: the new document and the version it replaces. */
export const wallDocUpdateSchema = z.object({ version: z.number().int().positive(), body: z.unknown() }).strict();

/** Activate a scene or tour on a wall now. */
export const wallActivateSchema = z.object({ kind: z.enum(['scene', 'tour']), id: z.string().min(1) }).strict();
export const wallStateSchema = z.object({
  wallId: z.string(),
  active: z.object({ kind: z.enum(['scene', 'tour']), id: z.string(), version: z.number().int() }).nullable(),
  activatedAt: z.string().nullable(),
  activatedBy: z.string().nullable(),
  scheduleId: z.string().nullable(),
});
export type WallState = z.infer<typeof wallStateSchema>;

/** Events of the wall feature (merged into `hubEventSchemas`). */
export const wallEventSchemas = {
  /** A scene or tour became active on a wall: wall windows load it (by id and version) and follow. */
  'wall.activated': z.object({
    wallId: z.string(),
    kind: z.enum(['scene', 'tour']),
    id: z.string(),
    version: z.number().int(),
    by: z.string(),
    scheduleId: z.string().nullable(),
  }),
  /** A wall document was created, changed or deleted (refetch it). */
  'wall.document': z.object({
    kind: z.enum(['wall', 'scene', 'tour', 'schedule']),
    id: z.string(),
    wallId: z.string().nullable(),
    version: z.number().int(),
    action: z.enum(['created', 'updated', 'deleted']),
  }),
} satisfies Record<string, z.ZodType>;
