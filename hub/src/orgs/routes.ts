/** `/api/v1/courts`, `/people`, `/units`: the organisation, with court-scoped reads. */
import { randomUUID } from 'node:crypto';
import {
  API_PREFIX,
  ErrorCode,
  ProtocolError,
  courtPatchSchema,
  courtSchema,
  fieldUnitCreateSchema,
  fieldUnitPatchSchema,
  personCreateSchema,
  personPatchSchema,
  unitPositionSchema,
} from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, assertCourtAccess, courtScope, principalOf } from '../auth/auth.js';
import * as repo from './repository.js';

const idParam = (params: unknown): string => (params as { id: string }).id;

export function registerOrgRoutes(ctx: HubContext): void {
  const { app, db, auth, mutate } = ctx;
  const anyone = auth.require();
  const admin = auth.require('admin');

  const requireCourt = (code: string | null): void => {
    if (code !== null && !repo.getCourt(db, code)) throw new ProtocolError(ErrorCode.ValidationFailed, { unknownCourt: code });
  };

  app.get(`${API_PREFIX}/courts`, { preHandler: anyone }, async () => ({ courts: repo.listCourts(db) }));
  app.get(`${API_PREFIX}/courts/:id`, { preHandler: anyone }, async (request) => {
    const court = repo.getCourt(db, idParam(request.params));
    if (!court) throw notFound('court', idParam(request.params));
    return court;
  });
  app.post(`${API_PREFIX}/courts`, { preHandler: admin }, async (request, reply) => {
    const court = parse(courtSchema, request.body);
    if (repo.getCourt(db, court.code)) throw new ProtocolError(ErrorCode.Conflict, { court: court.code });
    requireCourt(court.parentCode);
    const created = mutate(actorOf(request), 'court.create', ({ emit }) => {
      repo.putCourt(db, court);
      emit({ type: 'entity.changed', court: court.code, data: { entity: 'court', id: court.code, action: 'created' } });
      return { value: court, target: `court:${court.code}`, after: court };
    });
    return reply.status(201).send(created);
  });
  app.patch(`${API_PREFIX}/courts/:id`, { preHandler: admin }, async (request) => {
    const code = idParam(request.params);
    const before = repo.getCourt(db, code);
    if (!before) throw notFound('court', code);
    const patch = parse(courtPatchSchema, request.body);
    if (patch.parentCode !== undefined) requireCourt(patch.parentCode);
    const after = { ...before, ...patch };
    return mutate(actorOf(request), 'court.update', ({ emit }) => {
      repo.putCourt(db, after);
      emit({ type: 'entity.changed', court: code, data: { entity: 'court', id: code, action: 'updated' } });
      return { value: after, target: `court:${code}`, before, after };
    });
  });

  app.get(`${API_PREFIX}/people`, { preHandler: anyone }, async (request) => ({
    people: repo.listPeople(db, courtScope(principalOf(request))),
  }));
  app.post(`${API_PREFIX}/people`, { preHandler: admin }, async (request, reply) => {
    const input = parse(personCreateSchema, request.body);
    requireCourt(input.court);
    if (db.prepare('SELECT 1 FROM people WHERE username = ?').get(input.username)) {
      throw new ProtocolError(ErrorCode.Conflict, { username: input.username });
    }
    const person = mutate(actorOf(request), 'person.create', () => {
      const created = repo.insertPerson(db, input);
      return { value: created, target: `person:${created.id}`, after: created };
    });
    return reply.status(201).send(person);
  });
  app.patch(`${API_PREFIX}/people/:id`, { preHandler: admin }, async (request) => {
    const id = idParam(request.params);
    const before = repo.getPerson(db, id);
    if (!before) throw notFound('person', id);
    const patch = parse(personPatchSchema, request.body);
    if (patch.court !== undefined) requireCourt(patch.court);
    return mutate(actorOf(request), 'person.update', () => {
      repo.updatePerson(db, id, patch);
      const after = repo.getPerson(db, id);
      // The password itself never enters the audit log.
      return { value: after, target: `person:${id}`, before, after: { ...after, passwordChanged: patch.password !== undefined } };
    });
  });

  app.get(`${API_PREFIX}/units`, { preHandler: anyone }, async (request) => ({
    units: repo.listUnits(db, courtScope(principalOf(request))),
  }));
  app.post(`${API_PREFIX}/units`, { preHandler: auth.require('technician', 'duty_officer') }, async (request, reply) => {
    const input = parse(fieldUnitCreateSchema, request.body);
    requireCourt(input.court);
    const unit = mutate(actorOf(request), 'unit.create', ({ emit }) => {
      const id = randomUUID();
      repo.putUnit(db, { id, ...input });
      emit({ type: 'entity.changed', court: input.court, data: { entity: 'unit', id, action: 'created' } });
      const created = repo.getUnit(db, id)!;
      return { value: created, target: `unit:${id}`, after: created };
    });
    return reply.status(201).send(unit);
  });
  app.patch(`${API_PREFIX}/units/:id`, { preHandler: auth.require('technician', 'duty_officer') }, async (request) => {
    const id = idParam(request.params);
    const before = repo.getUnit(db, id);
    if (!before) throw notFound('unit', id);
    const patch = parse(fieldUnitPatchSchema, request.body);
    if (patch.court) requireCourt(patch.court);
    return mutate(actorOf(request), 'unit.update', ({ emit }) => {
      repo.putUnit(db, { ...before, ...patch });
      const after = repo.getUnit(db, id)!;
      emit({ type: 'entity.changed', court: after.court, data: { entity: 'unit', id, action: 'updated' } });
      return { value: after, target: `unit:${id}`, before, after };
    });
  });
  app.post(`${API_PREFIX}/units/:id/position`, { preHandler: auth.require('duty_officer', 'court_user', 'service') }, async (request) => {
    const id = idParam(request.params);
    const unit = repo.getUnit(db, id);
    if (!unit) throw notFound('unit', id);
    assertCourtAccess(principalOf(request), unit.court);
    const position = parse(unitPositionSchema, request.body);
    const at = position.at ?? new Date(ctx.now()).toISOString();
    if (Date.parse(at) > ctx.now() + 60_000) throw new ProtocolError(ErrorCode.ValidationFailed, { at: 'in the future' });
    return mutate(actorOf(request), 'unit.position', ({ emit }) => {
      repo.setUnitPosition(db, id, position.lat, position.lon, at);
      emit({ type: 'unit.position', court: unit.court, data: { unitId: id, lat: position.lat, lon: position.lon, at } });
      return {
        value: { unitId: id, lat: position.lat, lon: position.lon, at },
        target: `unit:${id}`,
        before: unit.position,
        after: { ...position, at },
      };
    });
  });
}
