/**
 * `/api/v1/walls`: walls, and per wall its scenes, tours and schedules, as versioned documents;
 * `/walls/:wallId/state` and `/activate` for what the wall shows now.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  API_PREFIX,
  ErrorCode,
  ProtocolError,
  sceneBodySchema,
  scheduleBodySchema,
  tourBodySchema,
  wallActivateSchema,
  wallBodySchema,
  wallCanvas,
  wallDocUpdateSchema,
  type WallBody,
  type WallDoc,
  type WallDocKind,
} from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf } from '../auth/auth.js';
import type { Db } from '../store/database.js';
import { activateOnWall, wallState } from './activation.js';
import { deleteDoc, docVersions, getDoc, listDocs, putDoc } from './documents.js';
import { fail, referencesTo, sceneIssues, scheduleIssues, tourIssues, wallIssues, type Issue } from './validate.js';

interface KindSpec {
  kind: Exclude<WallDocKind, 'wall'>;
  path: string;
  schema: z.ZodType;
  issues(db: Db, wall: WallDoc<WallBody>, body: never): Issue[];
}

const CHILD_KINDS: KindSpec[] = [
  { kind: 'scene', path: 'scenes', schema: sceneBodySchema, issues: (_db, wall, body) => sceneIssues(wall.body, body) },
  { kind: 'tour', path: 'tours', schema: tourBodySchema, issues: (db, wall, body) => tourIssues(db, wall.id, body) },
  { kind: 'schedule', path: 'schedules', schema: scheduleBodySchema, issues: (db, wall, body) => scheduleIssues(db, wall.id, body) },
];

const deleteQuery = z.object({ version: z.coerce.number().int().positive().optional() }).strict();
const params = (request: { params: unknown }): { wallId: string; id: string } => request.params as { wallId: string; id: string };

function loadWall(db: Db, wallId: string): WallDoc<WallBody> {
  const wall = getDoc<WallBody>(db, 'wall', wallId);
  if (!wall) throw notFound('wall', wallId);
  return wall;
}

function checkVersion(current: { version: number }, given: number | undefined): void {
  if (given !== undefined && given !== current.version)
    throw new ProtocolError(ErrorCode.Conflict, { version: given, current: current.version });
}

export function registerWallRoutes(ctx: HubContext): void {
  const { app, db, auth, mutate } = ctx;
  const anyone = auth.require();
  const technician = auth.require('technician');
  const base = `${API_PREFIX}/walls`;

  /** Writes one version of a document in one mutation, with its `wall.document` event. */
  const write = <B>(
    request: Parameters<typeof actorOf>[0],
    kind: WallDocKind,
    doc: { id: string; wallId: string | null; version: number; body: B },
    before?: WallDoc<unknown>,
  ): WallDoc<B> =>
    mutate(actorOf(request), `wall.${kind}.${before ? 'update' : 'create'}`, ({ emit }) => {
      const stored = putDoc<B>(db, kind, { ...doc, updatedBy: actorOf(request).name, at: new Date(ctx.now()).toISOString() });
      emit({
        type: 'wall.document',
        court: null,
        data: { kind, id: doc.id, wallId: doc.wallId, version: doc.version, action: before ? 'updated' : 'created' },
      });
      return { value: stored, target: `wall_${kind}:${doc.id}`, before, after: stored };
    });
  const remove = (request: Parameters<typeof actorOf>[0], kind: WallDocKind, doc: WallDoc<unknown>): void => {
    mutate(actorOf(request), `wall.${kind}.delete`, ({ emit }) => {
      deleteDoc(db, kind, doc, new Date(ctx.now()).toISOString(), actorOf(request).name);
      emit({
        type: 'wall.document',
        court: null,
        data: { kind, id: doc.id, wallId: doc.wallId, version: doc.version + 1, action: 'deleted' },
      });
      return { value: null, target: `wall_${kind}:${doc.id}`, before: doc };
    });
  };

  app.get(base, { preHandler: anyone }, async () => ({
    walls: listDocs<WallBody>(db, 'wall', null).map((w) => ({ ...w, canvas: wallCanvas(w.body.layout) })),
  }));
  app.post(base, { preHandler: technician }, async (request, reply) => {
    const body = parse(wallBodySchema, request.body);
    fail(wallIssues(db, null, body));
    return reply.status(201).send(write(request, 'wall', { id: randomUUID(), wallId: null, version: 1, body }));
  });
  app.get(`${base}/:wallId`, { preHandler: anyone }, async (request) => {
    const wall = loadWall(db, params(request).wallId);
    return { ...wall, canvas: wallCanvas(wall.body.layout) };
  });
  app.put(`${base}/:wallId`, { preHandler: technician }, async (request) => {
    const wall = loadWall(db, params(request).wallId);
    const update = parse(wallDocUpdateSchema, request.body);
    checkVersion(wall, update.version);
    const body = parse(wallBodySchema, update.body);
    fail(wallIssues(db, wall.id, body));
    return write(request, 'wall', { id: wall.id, wallId: null, version: wall.version + 1, body }, wall);
  });
  app.delete(`${base}/:wallId`, { preHandler: technician }, async (request, reply) => {
    const wall = loadWall(db, params(request).wallId);
    checkVersion(wall, parse(deleteQuery, request.query).version);
    const children = CHILD_KINDS.flatMap((k) => listDocs(db, k.kind, wall.id).map((d) => d.id));
    if (children.length > 0)
      throw new ProtocolError(ErrorCode.Conflict, { reason: 'the wall still has scenes, tours or schedules', children });
    remove(request, 'wall', wall);
    return reply.status(204).send();
  });
  app.get(`${base}/:wallId/versions`, { preHandler: anyone }, async (request) => ({
    versions: docVersions(db, loadWall(db, params(request).wallId).id),
  }));
  app.get(`${base}/:wallId/state`, { preHandler: anyone }, async (request) => {
    const { scheduleKey: _key, ...state } = wallState(db, loadWall(db, params(request).wallId).id);
    return state;
  });
  app.post(`${base}/:wallId/activate`, { preHandler: auth.require('technician', 'duty_officer', 'leader') }, async (request) =>
    activateOnWall(ctx, actorOf(request), params(request).wallId, parse(wallActivateSchema, request.body)),
  );

  for (const spec of CHILD_KINDS) registerChildRoutes(ctx, spec, write, remove);
}

function registerChildRoutes(
  ctx: HubContext,
  spec: KindSpec,
  write: <B>(
    request: Parameters<typeof actorOf>[0],
    kind: WallDocKind,
    doc: { id: string; wallId: string | null; version: number; body: B },
    before?: WallDoc<unknown>,
  ) => WallDoc<B>,
  remove: (request: Parameters<typeof actorOf>[0], kind: WallDocKind, doc: WallDoc<unknown>) => void,
): void {
  const { app, db, auth } = ctx;
  const anyone = auth.require();
  const technician = auth.require('technician');
  const base = `${API_PREFIX}/walls/:wallId/${spec.path}`;
  const load = (request: { params: unknown }): WallDoc<unknown> => {
    const wall = loadWall(db, params(request).wallId);
    const doc = getDoc(db, spec.kind, params(request).id);
    if (!doc || doc.wallId !== wall.id) throw notFound(spec.kind, params(request).id);
    return doc;
  };

  app.get(base, { preHandler: anyone }, async (request) => ({
    [spec.path]: listDocs(db, spec.kind, loadWall(db, params(request).wallId).id),
  }));
  app.post(base, { preHandler: technician }, async (request, reply) => {
    const wall = loadWall(db, params(request).wallId);
    const body = parse(spec.schema, request.body) as never;
    fail(spec.issues(db, wall, body));
    return reply.status(201).send(write(request, spec.kind, { id: randomUUID(), wallId: wall.id, version: 1, body }));
  });
  app.get(`${base}/:id`, { preHandler: anyone }, async (request) => load(request));
  app.get(`${base}/:id/versions`, { preHandler: anyone }, async (request) => ({ versions: docVersions(db, load(request).id) }));
  app.put(`${base}/:id`, { preHandler: technician }, async (request) => {
    const doc = load(request);
    const update = parse(wallDocUpdateSchema, request.body);
    checkVersion(doc, update.version);
    const body = parse(spec.schema, update.body) as never;
    fail(spec.issues(db, loadWall(db, doc.wallId!), body));
    return write(request, spec.kind, { id: doc.id, wallId: doc.wallId, version: doc.version + 1, body }, doc);
  });
  app.delete(`${base}/:id`, { preHandler: technician }, async (request, reply) => {
    const doc = load(request);
    checkVersion(doc, parse(deleteQuery, request.query).version);
    const users = referencesTo(db, doc.wallId!, doc.id);
    if (users.length > 0) throw new ProtocolError(ErrorCode.Conflict, { reason: 'still used by tours or schedules', usedBy: users });
    const state = wallState(db, doc.wallId!);
    if (state.active?.id === doc.id) throw new ProtocolError(ErrorCode.Conflict, { reason: 'active on the wall now' });
    remove(request, spec.kind, doc);
    return reply.status(204).send();
  });
}
