/** Raising alarms (stored first, then published) and acting on incidents. */
import { ErrorCode, ProtocolError, type Alarm, type Incident, type IncidentAction } from '@cc/protocol';
import type { Actor } from '../audit/audit-log.js';
import type { HubContext } from '../app/module.js';
import { getUnit } from '../orgs/repository.js';
import * as repo from './repository.js';

export function raiseAlarm(ctx: HubContext, actor: Actor, input: repo.NewAlarm): Alarm {
  return ctx.mutate(actor, 'alarm.raise', ({ db, emit }) => {
    const { alarm, newIncident } = repo.insertAlarm(db, input, actor, ctx.now());
    emit({ type: 'alarm.raised', court: alarm.court, data: { alarm, newIncident } });
    return { value: alarm, target: `incident:${alarm.incidentId}`, after: alarm };
  });
}

const NEXT_STATUS: Record<IncidentAction['kind'], Incident['status'] | undefined> = {
  acknowledge: 'acknowledged',
  video_opened: undefined,
  dispatch: undefined,
  call_made: undefined,
  note: undefined,
  close: 'closed',
};

const TIMELINE_KIND: Record<IncidentAction['kind'], string> = {
  acknowledge: 'acknowledged',
  video_opened: 'video_opened',
  dispatch: 'dispatched',
  call_made: 'call_made',
  note: 'note',
  close: 'closed',
};

export function actOnIncident(ctx: HubContext, actor: Actor, incidentId: string, action: IncidentAction): Incident {
  return ctx.mutate(actor, `incident.${action.kind}`, ({ db, emit }) => {
    const before = repo.getIncident(db, incidentId);
    if (!before) throw new ProtocolError(ErrorCode.NotFound, { incident: incidentId });
    if (before.status === 'closed') throw new ProtocolError(ErrorCode.Conflict, { reason: 'incident is closed' });
    const at = new Date(ctx.now()).toISOString();
    const data: Record<string, unknown> = {};
    if (action.kind === 'dispatch') {
      const unknown = action.unitIds.filter((id) => !getUnit(db, id));
      if (unknown.length > 0) throw new ProtocolError(ErrorCode.ValidationFailed, { unknownUnits: unknown });
      data.unitIds = action.unitIds;
      for (const id of action.unitIds) db.prepare("UPDATE field_units SET status = 'busy' WHERE id = ?").run(id);
    }
    if (action.kind === 'video_opened') data.deviceId = action.deviceId;
    if (action.kind === 'call_made') data.target = action.target;
    const note = action.kind === 'close' ? action.result : action.note;
    const status = NEXT_STATUS[action.kind] ?? before.status;
    if (status !== before.status) repo.setIncidentStatus(db, incidentId, status, at, action.kind === 'close' ? action.result : undefined);
    const entry = repo.addTimeline(db, incidentId, TIMELINE_KIND[action.kind], actor, note, data, at);
    emit({ type: 'incident.updated', court: before.court, data: { incidentId, status, entry } });
    const after = repo.getIncident(db, incidentId)!;
    return { value: after, target: `incident:${incidentId}`, before: { status: before.status }, after: { status, entry } };
  });
}
