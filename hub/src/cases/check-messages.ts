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
  /**
   * An import body as JSON (text, or its UTF-8 bytes: copied as bytes, not serialized as a string):
   * the worker parses it, keeps its records and finds the slices.
   */
  | { kind: 'parse'; job: number; seq: number; text: string | Uint8Array; maxRecords?: number }
  /** Records `from` … `to - 1`: sent along, or (without `records`) those the job parsed. */
  | { kind: 'check'; job: number; seq: number; from: number; to: number; records?: readonly unknown[]; rows?: readonly number[] }
  | { kind: 'end'; job: number };

/** What a parsed body holds; or why it is not an import body. */
export type ParseOutcome =
  /** `scanned`: the records are parsed a slice at a time (json-scan.ts), not all at once. */
  | { ok: true; received: number; ends: number[]; scanned: boolean }
  | { ok: false; json: string }
  | { ok: false; issues: { path: string; problem: string }[] };

export type CheckReply =
  | { job: number; seq: number; packed: PackedCases; rejected: ImportRejection[] }
  | { job: number; seq: number; parsed: ParseOutcome }
  | { job: number; seq: number; error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** An import body's bytes as text; invalid UTF-8 throws (reported like malformed JSON). */
export const decodeUtf8 = (bytes: Uint8Array): string => utf8.decode(bytes);
