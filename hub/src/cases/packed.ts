/**
 * Checked cases in a compact form for crossing from the check worker to the hub's thread:
 * numbers in two Float64Arrays (transferred, not copied) and the few strings in one array,
 * instead of a structured clone of hundreds of thousands of small objects. Node types travel
 * as their index in the catalog snapshot both sides took at the start of the import.
 */
import type { CaseKind, ClosureType, NodeType } from '@cc/protocol';
import type { ValidCase } from './case-writer.js';
import type { NodeWrite } from './store.js';

const CASE_STRIDE = 10;
const NODE_STRIDE = 5;

export interface PackedCases {
  count: number;
  /** Per case: row, filedAt, amountOwed, amountRecovered, closedAt (NaN: open), counts ×3, node count (−1: none given), labels. */
  cases: Float64Array;
  /** Per node: type index, cycle, startedAt, dueAt, doneAt (NaN: not done). */
  nodes: Float64Array;
  /** Per case: caseNo, court, handler. */
  texts: string[];
  /** Kind and closure type strings, by the index stored in `cases` (closure −1: none). */
  labels: string[];
}

/** Packs checked cases; `typeIndex` maps node type codes to their index in the catalog snapshot. */
export function packCases(accepted: readonly ValidCase[], typeIndex: ReadonlyMap<string, number>): PackedCases {
  let nodeCount = 0;
  for (const c of accepted) nodeCount += c.nodes?.length ?? 0;
  const cases = new Float64Array(accepted.length * CASE_STRIDE);
  const nodes = new Float64Array(nodeCount * NODE_STRIDE);
  const texts: string[] = [];
  const labels: string[] = [];
  const label = (text: string): number => {
    const at = labels.indexOf(text);
    return at >= 0 ? at : labels.push(text) - 1;
  };
  let n = 0;
  accepted.forEach((c, i) => {
    const o = i * CASE_STRIDE;
    cases[o] = c.row;
    cases[o + 1] = c.filedAt;
    cases[o + 2] = c.amountOwed;
    cases[o + 3] = c.amountRecovered;
    cases[o + 4] = c.closedAt ?? NaN;
    cases[o + 5] = c.dishonestCount;
    cases[o + 6] = c.consumptionBanCount;
    cases[o + 7] = c.inquiryCount;
    cases[o + 8] = c.nodes?.length ?? -1;
    cases[o + 9] = label(c.kind) * 64 + (c.closureType === null ? 63 : label(c.closureType));
    texts.push(c.caseNo, c.court, c.handler);
    for (const node of c.nodes ?? []) {
      const index = typeIndex.get(node.type.code);
      if (index === undefined) throw new Error(`node type ${node.type.code} is not in the catalog snapshot`);
      nodes[n++] = index;
      nodes[n++] = node.cycle;
      nodes[n++] = node.startedAt;
      nodes[n++] = node.dueAt;
      nodes[n++] = node.doneAt ?? NaN;
    }
  });
  return { count: accepted.length, cases, nodes, texts, labels };
}

const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** The checked cases back, node types resolved against `types` (the catalog snapshot, by index). */
export function unpackCases(packed: PackedCases, types: readonly NodeType[]): ValidCase[] {
  const { cases, nodes, texts, labels } = packed;
  const out: ValidCase[] = [];
  let n = 0;
  for (let i = 0; i < packed.count; i++) {
    const o = i * CASE_STRIDE;
    const nodeCount = cases[o + 8]!;
    let list: NodeWrite[] | undefined;
    if (nodeCount >= 0) {
      list = [];
      for (let k = 0; k < nodeCount; k++, n += NODE_STRIDE) {
        const type = types[nodes[n]!];
        if (!type) throw new Error(`node type index ${nodes[n]} is not in the catalog snapshot`);
        list.push({ type, cycle: nodes[n + 1]!, startedAt: nodes[n + 2]!, dueAt: nodes[n + 3]!, doneAt: orNull(nodes[n + 4]!) });
      }
    }
    const kindAndClosure = cases[o + 9]!;
    const closure = kindAndClosure % 64;
    out.push({
      row: cases[o]!,
      caseNo: texts[i * 3]!,
      court: texts[i * 3 + 1]!,
      handler: texts[i * 3 + 2]!,
      kind: labels[Math.floor(kindAndClosure / 64)] as CaseKind,
      filedAt: cases[o + 1]!,
      amountOwed: cases[o + 2]!,
      amountRecovered: cases[o + 3]!,
      closedAt: orNull(cases[o + 4]!),
      closureType: closure === 63 ? null : (labels[closure] as ClosureType),
      dishonestCount: cases[o + 5]!,
      consumptionBanCount: cases[o + 6]!,
      inquiryCount: cases[o + 7]!,
      nodes: list,
    });
  }
  return out;
}
