/**
 * Checks that need more than one document: rectangles inside the wall canvas (windows may
 * overlap), tours and schedules pointing at scenes/tours of the same wall, and a wall whose
 * new layout would push existing scenes off the canvas.
 */
import {
  ErrorCode,
  ProtocolError,
  wallCanvas,
  type SceneBody,
  type ScheduleBody,
  type TourBody,
  type WallBody,
  type WallRect,
} from '@cc/protocol';
import type { Db } from '../store/database.js';
import { getDoc, listDocs } from './documents.js';

export interface Issue {
  path: string;
  problem: string;
}

function outside(rect: WallRect, canvas: { width: number; height: number }): string | undefined {
  if (rect.x + rect.w <= canvas.width && rect.y + rect.h <= canvas.height) return undefined;
  return `rectangle ${rect.x},${rect.y} ${rect.w}×${rect.h} leaves the ${canvas.width}×${canvas.height} canvas`;
}

export function fail(issues: Issue[]): void {
  if (issues.length > 0) throw new ProtocolError(ErrorCode.ValidationFailed, { issues });
}

export function wallIssues(db: Db, wallId: string | null, body: WallBody): Issue[] {
  const canvas = wallCanvas(body.layout);
  const issues: Issue[] = [];
  body.displays.forEach((d, i) => {
    const problem = outside(d.rect, canvas);
    if (problem) issues.push({ path: `displays.${i}.rect`, problem });
  });
  if (wallId) {
    for (const scene of listDocs<SceneBody>(db, 'scene', wallId)) {
      const bad = scene.body.windows.findIndex((w) => outside(w.rect, canvas));
      if (bad >= 0)
        issues.push({ path: 'layout', problem: `scene ${scene.id} (${scene.body.name}) would leave the canvas at window ${bad}` });
    }
  }
  return issues;
}

export function sceneIssues(wall: WallBody, body: SceneBody): Issue[] {
  const canvas = wallCanvas(wall.layout);
  return body.windows.flatMap((w, i) => {
    const problem = outside(w.rect, canvas);
    return problem ? [{ path: `windows.${i}.rect`, problem }] : [];
  });
}

export function tourIssues(db: Db, wallId: string, body: TourBody): Issue[] {
  const issues: Issue[] = [];
  const sceneOnWall = (id: string): SceneBody | undefined => {
    const scene = getDoc<SceneBody>(db, 'scene', id);
    return scene?.wallId === wallId ? scene.body : undefined;
  };
  body.steps.forEach((step, i) => {
    if (step.kind === 'scene' && !sceneOnWall(step.sceneId))
      issues.push({ path: `steps.${i}.sceneId`, problem: `no scene ${step.sceneId} on this wall` });
  });
  if (body.target) {
    const scene = sceneOnWall(body.target.sceneId);
    if (!scene) issues.push({ path: 'target.sceneId', problem: `no scene ${body.target.sceneId} on this wall` });
    else if (!scene.windows.some((w) => w.id === body.target?.windowId))
      issues.push({ path: 'target.windowId', problem: `no window ${body.target.windowId} in that scene` });
  }
  return issues;
}

export function scheduleIssues(db: Db, wallId: string, body: ScheduleBody): Issue[] {
  const target = getDoc(db, body.activate.kind, body.activate.id);
  return target?.wallId === wallId ? [] : [{ path: 'activate.id', problem: `no ${body.activate.kind} ${body.activate.id} on this wall` }];
}

/** Documents that still point at a scene or tour (deleting it would break them). */
export function referencesTo(db: Db, wallId: string, id: string): string[] {
  const tours = listDocs<TourBody>(db, 'tour', wallId).filter(
    (t) => t.body.target?.sceneId === id || t.body.steps.some((s) => s.kind === 'scene' && s.sceneId === id),
  );
  const schedules = listDocs<ScheduleBody>(db, 'schedule', wallId).filter((s) => s.body.activate.id === id);
  return [...tours, ...schedules].map((d) => d.id);
}
