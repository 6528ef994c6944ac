/** Pure views of the 超期 (overdue) list and its 督办 (supervision) orders. */
import type { FlowNode, NodeType, SupervisionOrder } from '@cc/protocol';

/** What the console needs of a catalog entry to name a node type. */
export type NodeTypeNames = Pick<NodeType, 'name' | 'nameEn'>;

/** A node type's name in the UI language: English falls back to the Chinese name; an unknown type shows its code. */
export function nodeTypeName(type: NodeTypeNames | undefined, code: string, locale: string): string {
  if (!type) return code;
  return (locale === 'zh-CN' ? undefined : type.nameEn) || type.name || code;
}

export interface OverdueRow {
  node: FlowNode;
  /** Whole days past due at `now` (0 on the day it fell due). */
  daysOverdue: number;
  /** The open order about this node (or its case, when the order names no node), if any. */
  order: SupervisionOrder | undefined;
}

const OPEN: ReadonlySet<SupervisionOrder['state']> = new Set(['issued', 'replied', 'returned']);

export function overdueRows(nodes: FlowNode[], orders: SupervisionOrder[], now: number): OverdueRow[] {
  const byNode = new Map<number, SupervisionOrder>();
  const byCase = new Map<string, SupervisionOrder>();
  for (const o of orders) {
    if (!OPEN.has(o.state)) continue;
    if (o.nodeId !== null) byNode.set(o.nodeId, o);
    else byCase.set(o.caseNo, o);
  }
  return nodes.map((node) => ({
    node,
    daysOverdue: Math.max(0, Math.floor((now - Date.parse(node.dueAt)) / 86_400_000)),
    order: byNode.get(node.id) ?? byCase.get(node.caseNo),
  }));
}

/** The default reply deadline of a new order: `days` calendar days from now, as a date. */
export function defaultDueDate(now: number, days = 3): string {
  return new Date(now + days * 86_400_000).toISOString().slice(0, 10);
}
