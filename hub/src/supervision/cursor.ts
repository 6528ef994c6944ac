/**
 * Keyset cursors of the 督办 list: where a page ended (issued time and id of its last order)
 * and which filters it was asked with, as opaque base64url text.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, ProtocolError } from '@cc/protocol';
import { z } from 'zod';

/** The last order of a page, in the list's order (issued time, then id, both descending). */
export interface ListPosition {
  createdAt: number;
  id: string;
}

const payloadSchema = z.object({ v: z.literal(1), at: z.number().int(), id: z.string().min(1).max(64), q: z.string() }).strict();

/**
 * A short digest of the filters as the hub applies them (court scope included): a cursor
 * continues only the list that gave it, never a list with other filters.
 */
export function filterDigest(filters: readonly (string | number | undefined)[]): string {
  return createHash('sha256')
    .update(JSON.stringify(filters.map((f) => f ?? null)))
    .digest('base64url')
    .slice(0, 16);
}

export function encodeCursor(position: ListPosition, digest: string): string {
  return Buffer.from(JSON.stringify({ v: 1, at: position.createdAt, id: position.id, q: digest })).toString('base64url');
}

const refused = (problem: string): ProtocolError =>
  new ProtocolError(ErrorCode.ValidationFailed, { issues: [{ path: 'cursor', problem }] });

/** The position a cursor names; `validation_failed` for text no list gave or a cursor of a list with other filters. */
export function decodeCursor(text: string, digest: string): ListPosition {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refused('not a cursor this list gave');
  }
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) throw refused('not a cursor this list gave');
  if (parsed.data.q !== digest) throw refused('the cursor belongs to a list with other filters; ask for the first page again');
  return { createdAt: parsed.data.at, id: parsed.data.id };
}
