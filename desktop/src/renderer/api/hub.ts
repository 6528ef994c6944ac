/** The hub endpoints the console and wall use, typed with the protocol's inferred types. */
import type {
  Alarm,
  Court,
  FieldUnit,
  FlowNode,
  Incident,
  IncidentAction,
  IncidentSummary,
  NodeType,
  Principal,
  StatsResponse,
  SupervisionOrder,
  SupervisionState,
  WallBody,
  WallDoc,
  WallState,
  manualAlarmSchema,
  supervisionCreateSchema,
} from '@cc/protocol';
import type { z } from 'zod';
import type { ApiClient } from './client';
import { caseEndpoints } from './cases';
import { deviceEndpoints } from './devices';

/** 督办 states in which an order is still open (not accepted). */
export const OPEN_SUPERVISION_STATES: readonly SupervisionState[] = ['issued', 'replied', 'returned'];

export interface LoginAnswer {
  token: string;
  expiresAt: string;
  user: Principal;
}

export interface Device {
  id: string;
  kind: string;
  online: boolean;
  offlineReason: string | null;
  lastSeen: string;
  position: { lat: number; lon: number; at: string | null } | null;
}

/** An incident as the list endpoint gives it: its latest alarm and alarm count, no timeline. */
export type { IncidentSummary };

export type SupervisionCreate = z.input<typeof supervisionCreateSchema>;

export type ManualAlarm = z.input<typeof manualAlarmSchema>;

export function hubApi(client: ApiClient) {
  return {
    login: (username: string, password: string) => client.request<LoginAnswer>('POST', 'api/v1/auth/login', { username, password }),
    logout: () => client.request<object>('POST', 'api/v1/auth/logout', {}),
    me: () => client.request<Principal>('GET', 'api/v1/auth/me'),
    courts: async () => (await client.request<{ courts: Court[] }>('GET', 'api/v1/courts')).courts,
    units: async () => (await client.request<{ units: FieldUnit[] }>('GET', 'api/v1/units')).units,
    devices: async () => (await client.request<{ devices: Device[] }>('GET', 'api/v1/devices')).devices,
    incidents: async (status: 'active' | 'closed' | 'all' = 'active') =>
      (await client.request<{ incidents: IncidentSummary[] }>('GET', `api/v1/incidents?status=${status}&limit=200`)).incidents,
    incident: (id: string) => client.request<Incident>('GET', `api/v1/incidents/${encodeURIComponent(id)}`),
    act: (id: string, action: IncidentAction) =>
      client.request<Incident>('POST', `api/v1/incidents/${encodeURIComponent(id)}/actions`, action),
    /** Wall figures since 1 January (China time) per court and in total. */
    stats: () => client.request<StatsResponse>('GET', 'api/v1/stats'),
    /** 超期 nodes, most overdue first. */
    overdueNodes: async (limit = 100) =>
      (await client.request<{ nodes: FlowNode[] }>('GET', `api/v1/nodes?state=overdue&limit=${limit}`)).nodes,
    /** 临期 nodes, soonest due first. */
    dueSoonNodes: async (limit = 100) =>
      (await client.request<{ nodes: FlowNode[] }>('GET', `api/v1/nodes?state=due_soon&limit=${limit}`)).nodes,
    nodeTypes: async () => (await client.request<{ nodeTypes: NodeType[] }>('GET', 'api/v1/catalog/node-types')).nodeTypes,
    /**
     * Every open 督办 order (issued, replied or returned), page by page: what the 超期 list marks
     * its nodes with. Not the newest N orders of any state: accepted orders pile up, and an older
     * order still open would leave its node unmarked (and invite a second order).
     */
    supervisionOrders: async () => {
      const openOrders = async (state: SupervisionState): Promise<SupervisionOrder[]> => {
        const all: SupervisionOrder[] = [];
        let cursor: string | null | undefined;
        do {
          const page = await client.request<{ orders: SupervisionOrder[]; nextCursor?: string | null }>(
            'GET',
            `api/v1/supervision?state=${state}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
          all.push(...page.orders);
          cursor = page.nextCursor; // absent from a hub without paging: its one page
        } while (cursor);
        return all;
      };
      return (await Promise.all(OPEN_SUPERVISION_STATES.map(openOrders))).flat();
    },
    issueSupervision: (order: SupervisionCreate) => client.request<SupervisionOrder>('POST', 'api/v1/supervision', order),
    walls: async () => (await client.request<{ walls: WallDoc<WallBody>[] }>('GET', 'api/v1/walls')).walls,
    wallState: (wallId: string) => client.request<WallState>('GET', `api/v1/walls/${encodeURIComponent(wallId)}/state`),
    /** A scene or tour of a wall (only its name is used here). */
    wallDoc: (wallId: string, kind: 'scene' | 'tour', id: string) =>
      client.request<WallDoc<{ name: string }>>('GET', `api/v1/walls/${encodeURIComponent(wallId)}/${kind}s/${encodeURIComponent(id)}`),
    raiseAlarm: (alarm: ManualAlarm) => client.request<Alarm>('POST', 'api/v1/alarms', alarm),
    ...deviceEndpoints(client),
    ...caseEndpoints(client),
  };
}

export type HubApi = ReturnType<typeof hubApi>;
