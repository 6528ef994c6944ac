/** Sample protocol objects for the renderer's unit tests. */
import type { Alarm, Case, Court, FieldUnit, Incident } from '@cc/protocol';

export function sampleAlarm(overrides: Partial<Alarm> = {}): Alarm {
  return {
    id: 'a1',
    incidentId: 'i1',
    source: 'manual',
    deviceId: null,
    channelId: null,
    unitId: null,
    court: '110108',
    priority: 2,
    kind: 'sos',
    description: '紧急求助',
    lat: 39.96,
    lon: 116.31,
    raisedAt: '2026-11-21T10:00:00.000Z',
    receivedAt: '2026-11-21T10:00:00.000Z',
    nearestCourts: [],
    nearestUnits: [],
    ...overrides,
  };
}

export function sampleIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'i1',
    status: 'open',
    title: '紧急求助',
    court: '110108',
    priority: 2,
    openedAt: '2026-11-21T10:00:00.000Z',
    closedAt: null,
    result: null,
    alarms: [sampleAlarm()],
    timeline: [{ id: 1, at: '2026-11-21T10:00:00.000Z', kind: 'raised', actorId: 'p1', actorName: '王值班', note: '', data: {} }],
    ...overrides,
  };
}

export const sampleCourt: Court = {
  code: '110108',
  name: '北京市海淀区人民法院',
  level: 'basic',
  parentCode: null,
  lat: 39.96,
  lon: 116.3,
  address: '',
  contact: '',
  phone: '',
  consultationEndpoint: '',
};

export function sampleUnit(overrides: Partial<FieldUnit> = {}): FieldUnit {
  return {
    id: 'u1',
    name: '海淀一组',
    kind: 'team',
    court: '110108',
    members: [],
    devices: [],
    callSign: '',
    status: 'available',
    position: { lat: 39.96, lon: 116.31, at: '2026-11-21T10:00:00.000Z' },
    ...overrides,
  };
}

/** A first-instance enforcement case with no nodes or deduction periods yet. */
export function sampleCase(overrides: Partial<Case> = {}): Case {
  return {
    caseNo: '(2026)京0108执1号',
    court: '110108',
    kind: 'first',
    filedAt: '2026-11-01T00:00:00.000Z',
    amountOwed: 100_000,
    amountRecovered: 0,
    closedAt: null,
    closureType: null,
    handler: '张法官',
    dishonestCount: 0,
    consumptionBanCount: 0,
    inquiryCount: 0,
    nodes: [],
    deductions: [],
    ...overrides,
  };
}
