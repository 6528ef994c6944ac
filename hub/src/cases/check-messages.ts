/** Messages between the hub's thread and the import check worker (check-worker.ts). */
import type { ImportRejection, NodeType } from '@cc/protocol';
import type { PackedCases } from './packed.js';

/** A check context in structured-clone form (sets as arrays, the catalog in snapshot order). */
export interface WireContext {
  courts: string[];
  scope: string | null;
  catalog: NodeType[];
  holidays: number[];
  workdays: number[];
  now: number;
}

export type CheckRequest =
  | { kind: 'begin'; job: number; context: WireContext; duplicates: [string, number][] }
  | { kind: 'check'; job: number; seq: number; records: readonly unknown[]; rows: readonly number[] }
  | { kind: 'end'; job: number };

export type CheckReply =
  { job: number; seq: number; packed: PackedCases; rejected: ImportRejection[] } | { job: number; seq: number; error: string };
