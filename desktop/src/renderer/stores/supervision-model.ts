/** Pure views of the 超期 (overdue) and 临期 (due soon) lists and their 督办 (supervision) orders. */
import type { FlowNode, NodeType, SupervisionOrder } from '@cc/protocol';
import { OPEN_SUPERVISION_STATES } from '../api/hub';
import { timeLeft, type TimeLeft } from './deadline-model';

/** What the console needs of a catalog entry to name a node type (and to mark its pressing 临期 nodes). */
export type NodeTypeNames = Pick<NodeType, 'name' | 'nameEn'> & {
  /** The type's last warning threshold in days (`lastWarnDays` of its rule). */
  lastWarnDays?: number;
};

/** A node type's name in the UI language: English falls back to the Chinese name; an unknown type shows its code. */
export function nodeTypeName(type: NodeTypeNames | undefined, code: string, locale: string): string {
  if (!type) return code;
  return (locale === 'zh-CN' ? undefined : type.nameEn) || type.name || code;
}

export interface OverdueRow {
  node: FlowNode;
  /** China calendar days overdue at `now`, today included (1 from the due time on). */
  daysOverdue: number;
  /** The open order about this node (or its case, when the order names no node), if any. */
  order: SupervisionOrder | undefined;
}

const OPEN: ReadonlySet<SupervisionOrder['state']> = new Set(OPEN_SUPERVISION_STATES);

/** A node the hub lists as overdue counts at least one day, even while this machine's clock is behind the hub's. */
function daysOverdue(dueAt: string, now: number): number {
  const left = timeLeft(dueAt, now);
  return left.kind === 'overdue' ? left.days : 1;
}

/** Looks up the open order about a node: one naming the node, else one about its whole case. */
function openOrderOf(orders: SupervisionOrder[]): (node: FlowNode) => SupervisionOrder | undefined {
  const byNode = new Map<number, SupervisionOrder>();
  const byCase = new Map<string, SupervisionOrder>();
  for (const o of orders) {
    if (!OPEN.has(o.state)) continue;
    if (o.nodeId !== null) byNode.set(o.nodeId, o);
    else byCase.set(o.caseNo, o);
  }
  return (node) => byNode.get(node.id) ?? byCase.get(node.caseNo);
}

export function overdueRows(nodes: FlowNode[], orders: SupervisionOrder[], now: number): OverdueRow[] {
  const orderOf = openOrderOf(orders);
  return nodes.map((node) => ({ node, daysOverdue: daysOverdue(node.dueAt, now), order: orderOf(node) }));
}

/** A row of the list the console shows: its node, days overdue (超期) or left (临期), and its open order. */
export interface ListedRow {
  node: FlowNode;
  /** A 临期 node past its due time before the hub's event reloads the list shows as overdue. */
  timeLeft: TimeLeft;
  order: SupervisionOrder | undefined;
}

/** The 超期 list's rows as the console shows them. */
export const listedOverdue = (rows: OverdueRow[]): ListedRow[] =>
  rows.map((r) => ({ node: r.node, timeLeft: { kind: 'overdue', days: r.daysOverdue }, order: r.order }));

/** The 临期 list in the hub's order (soonest due first), with China calendar days left at `now`. */
export function dueSoonRows(nodes: FlowNode[], orders: SupervisionOrder[], now: number): ListedRow[] {
  const orderOf = openOrderOf(orders);
  return nodes.map((node) => ({ node, timeLeft: timeLeft(node.dueAt, now), order: orderOf(node) }));
}

/** The default reply deadline of a new order: `days` calendar days from now, as a date. */
export function defaultDueDate(now: number, days = 3): string {
  return new Date(now + days * 86_400_000).toISOString().slice(0, 10);
}
