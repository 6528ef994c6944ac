/** Pure views of a case's detail: node rows with their 正常/临期/超期/已完成 status, deduction periods, the case's 督办 orders, form checks. */
import type { Deduction, FlowNode, SupervisionOrder } from '@cc/protocol';
import type { ApiError } from '../api/client';
import { timeLeft, type TimeLeft } from './deadline-model';

/** What the node table shows in its state column. */
export type NodeStatus = 'normal' | 'due_soon' | 'overdue' | 'done';

export interface NodeRow {
  node: FlowNode;
  status: NodeStatus;
  /** An open deduction period stops this node's clock. */
  paused: boolean;
  /** The due time without deduction periods, when periods moved it. */
  baseDueAt: string | null;
  /** Days left (临期) or overdue (超期) at the store's `now`; null for other rows and paused clocks. */
  timeLeft: TimeLeft | null;
}

const STATUS: Record<FlowNode['state'], NodeStatus> = { pending: 'normal', due_soon: 'due_soon', overdue: 'overdue', done: 'done' };

export function nodeRows(nodes: FlowNode[], now: number): NodeRow[] {
  return nodes.map((node) => {
    const status: NodeStatus = node.doneAt !== null ? 'done' : STATUS[node.state];
    const paused = node.paused === true;
    return {
      node,
      status,
      paused,
      baseDueAt: node.baseDueAt !== undefined && node.baseDueAt !== node.dueAt ? node.baseDueAt : null,
      timeLeft: (status === 'due_soon' || status === 'overdue') && !paused ? timeLeft(node.dueAt, now) : null,
    };
  });
}

/** Open periods first (newest start first), then ended ones (newest start first). */
export function sortedDeductions(periods: Deduction[]): Deduction[] {
  return [...periods].sort((a, b) => Number(a.endedOn !== null) - Number(b.endedOn !== null) || b.startedOn.localeCompare(a.startedOn));
}

/** The case's orders, open ones first, newest first. */
export function ordersOfCase(orders: SupervisionOrder[], caseNo: string): SupervisionOrder[] {
  const closed = (o: SupervisionOrder): number => Number(o.state === 'accepted');
  return orders.filter((o) => o.caseNo === caseNo).sort((a, b) => closed(a) - closed(b) || b.createdAt.localeCompare(a.createdAt));
}

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The China-time calendar day `YYYY-MM-DD` of an instant (deduction periods are whole China days). */
export function chinaDay(at: number | string): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Field problems the hub names in a `validation_failed` answer's details (`{ field: problem }`), as i18n keys. */
const PROBLEMS: Record<string, string> = {
  'not after startedOn': 'cases.problem.endNotAfterStart',
  'after today': 'cases.problem.afterToday',
  'before the case was filed': 'cases.problem.beforeFiling',
};

/** The i18n keys explaining a hub error on a deduction period (beyond its catalog message), known problems only. */
export function problemKeys(error: ApiError): string[] {
  const details = error.details;
  if (error.code === 'conflict' && typeof details === 'object' && details !== null && 'overlaps' in details) {
    return ['cases.problem.overlaps'];
  }
  if (error.code !== 'validation_failed' || typeof details !== 'object' || details === null) return [];
  return Object.values(details as Record<string, unknown>)
    .map((problem) => (typeof problem === 'string' ? PROBLEMS[problem] : undefined))
    .filter((key): key is string => key !== undefined);
}
