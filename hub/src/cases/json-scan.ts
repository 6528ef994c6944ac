/**
 * One pass over an import body's bytes that validates its JSON syntax completely and finds
 * each record's byte span, without building a single object. The check worker then parses
 * the records a slice at a time, just before the slice is checked, instead of parsing the whole
 * body (≈ 200 ms for 20,000 records) before the hub can write anything: the hub's thread waited
 * that long at the start of every import request (BENCHMARKS.md "Hub import").
 *
 * Only bodies of the import's shape take this path: an object whose one key is `records`, an
 * array of 1 … maxRecords elements. For anything else (another shape, or a syntax error) the
 * scanner answers `other` / `invalid` and the caller parses the whole text as before, so the
 * messages (JSON.parse's, zod's) stay exactly what they were. Because the whole body is
 * validated before the first slice is written, a syntax error anywhere still writes nothing.
 *
 * The bytes must be valid UTF-8 (checked by the caller); a leading byte-order mark is skipped,
 * as TextDecoder does.
 */

/** Where the records are in the body, and what the worker needs before parsing any. */
export interface ScannedRecords {
  count: number;
  /** Byte offset where record i starts, and where it ends (exclusive). */
  starts: number[];
  ends: number[];
  /** Byte span of record i's `caseNo` string token (with its quotes); start −1 when it has none or it is not a string. */
  caseNoStarts: number[];
  caseNoEnds: number[];
  /** Elements of the arrays directly inside record i (its `nodes`): what slices are cut by. */
  nested: number[];
}

export type ScanOutcome = { kind: 'records'; records: ScannedRecords } | { kind: 'other' } | { kind: 'invalid' };

const OBJECT = 1;
const ARRAY = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

// The bytes of the two keys the scanner looks for, as they appear without escapes.
const RECORDS_KEY = [0x72, 0x65, 0x63, 0x6f, 0x72, 0x64, 0x73]; // records
const CASE_NO_KEY = [0x63, 0x61, 0x73, 0x65, 0x4e, 0x6f]; // caseNo

const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** Bytes that end the plain run of a string: the quote, the backslash and control characters. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

/** The index just past the string token starting at `i` (a quote), or −1 if it is not a valid string. */
function skipString(b: Uint8Array, i: number): number {
  const n = b.length;
  let j = i + 1;
  for (;;) {
    // One table load per byte of the plain run (most of a body's bytes are inside strings).
    while (j < n && STRING_STOP[b[j]!] === 0) j++;
    if (j >= n) return -1;
    const c = b[j]!;
    if (c === QUOTE) return j + 1;
    if (c !== BACKSLASH) return -1; // a control character
    const e = b[j + 1];
    if (e === 0x75) {
      // \uXXXX
      if (j + 5 >= n || !isHex(b[j + 2]!) || !isHex(b[j + 3]!) || !isHex(b[j + 4]!) || !isHex(b[j + 5]!)) return -1;
      j += 6;
    } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
      // \" \\ \/ \b \f \n \r \t
      j += 2;
    } else return -1;
  }
}

/** The index just past the number token starting at `i`, or −1 if it is not a valid number. */
function skipNumber(b: Uint8Array, i: number): number {
  const n = b.length;
  let j = i;
  if (b[j] === MINUS) j++;
  if (j >= n) return -1;
  if (b[j] === ZERO) j++;
  else if (isDigit(b[j]!)) while (j < n && isDigit(b[j]!)) j++;
  else return -1;
  if (j < n && b[j] === DOT) {
    j++;
    if (j >= n || !isDigit(b[j]!)) return -1;
    while (j < n && isDigit(b[j]!)) j++;
  }
  if (j < n && (b[j] === 0x65 || b[j] === 0x45)) {
    j++;
    if (j < n && (b[j] === PLUS || b[j] === MINUS)) j++;
    if (j >= n || !isDigit(b[j]!)) return -1;
    while (j < n && isDigit(b[j]!)) j++;
  }
  return j;
}

/** The index just past the literal `word` at `i`, or −1. */
function skipLiteral(b: Uint8Array, i: number, word: readonly number[]): number {
  if (i + word.length > b.length) return -1;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return -1;
  return i + word.length;
}
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** Is the string token b[start, end) (with quotes) the key `key`? Escaped keys are decoded first. */
function keyIs(b: Uint8Array, start: number, end: number, key: readonly number[], decode: (from: number, to: number) => string): boolean {
  let escaped = false;
  for (let k = start + 1; k < end - 1; k++)
    if (b[k] === BACKSLASH) {
      escaped = true;
      break;
    }
  if (escaped) return (JSON.parse(decode(start, end)) as string) === String.fromCharCode(...key);
  if (end - start - 2 !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[start + 1 + k] !== key[k]) return false;
  return true;
}

/**
 * Scans `b` (valid UTF-8). `decode(from, to)` gives the text of a byte span (used only for keys
 * written with escapes). `maxRecords`: more records than this is `other` (the schema's limit).
 */
export function scanImportBody(b: Uint8Array, maxRecords: number, decode: (from: number, to: number) => string): ScanOutcome {
  const n = b.length;
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  const stack: number[] = [];
  const records: ScannedRecords = { count: 0, starts: [], ends: [], caseNoStarts: [], caseNoEnds: [], nested: [] };
  // States: expecting a value; an array's first value or its end; an object's first key or its
  // end; a key after a comma; a comma or the container's end after a value.
  const VALUE = 0;
  const FIRST_VALUE = 1;
  const FIRST_KEY = 2;
  const KEY = 3;
  const AFTER = 4;
  let state = VALUE;
  let seenRecordsKey = false;
  // Whether the key just read (in a record object) is `caseNo`.
  let caseNoKey = false;
  const record = (): number => records.count - 1;
  for (;;) {
    while (i < n && isWhitespace(b[i]!)) i++;
    if (i >= n) return stack.length === 0 && state === AFTER ? finish(records, maxRecords) : { kind: 'invalid' };
    const c = b[i]!;
    if (state === AFTER) {
      if (stack.length === 0) return { kind: 'invalid' }; // text after the top-level value
      const top = stack[stack.length - 1]!;
      if (c === COMMA) {
        state = top === OBJECT ? KEY : VALUE;
        i++;
        continue;
      }
      if ((c === CLOSE_BRACE && top === OBJECT) || (c === CLOSE_BRACKET && top === ARRAY)) {
        stack.pop();
        i++;
        if (stack.length === 2) records.ends[record()] = i; // a record that is an object or array ended
        continue;
      }
      return { kind: 'invalid' };
    }
    if (state === FIRST_KEY || state === KEY) {
      if (state === FIRST_KEY && c === CLOSE_BRACE) {
        stack.pop();
        i++;
        state = AFTER;
        if (stack.length === 0) return { kind: 'other' }; // {}: not an import body
        if (stack.length === 2) records.ends[record()] = i;
        continue;
      }
      if (c !== QUOTE) return { kind: 'invalid' };
      const end = skipString(b, i);
      if (end < 0) return { kind: 'invalid' };
      const depth = stack.length;
      if (depth === 1) {
        // The top-level object: its one key must be `records`.
        if (seenRecordsKey || !keyIs(b, i, end, RECORDS_KEY, decode)) return { kind: 'other' };
        seenRecordsKey = true;
      } else if (depth === 3 && stack[1] === ARRAY) {
        caseNoKey = keyIs(b, i, end, CASE_NO_KEY, decode);
      }
      i = end;
      while (i < n && isWhitespace(b[i]!)) i++;
      if (i >= n || b[i] !== COLON) return { kind: 'invalid' };
      i++;
      state = VALUE;
      continue;
    }
    // A value (or, in FIRST_VALUE, the end of an empty array).
    if (state === FIRST_VALUE && c === CLOSE_BRACKET) {
      stack.pop();
      i++;
      state = AFTER;
      if (stack.length === 2) records.ends[record()] = i;
      continue;
    }
    const depth = stack.length;
    if (depth === 0 && c !== OPEN_BRACE) return { kind: 'other' };
    if (depth === 1 && c !== OPEN_BRACKET) return { kind: 'other' }; // records is not an array
    if (depth === 2) {
      if (records.count >= maxRecords) return { kind: 'other' };
      records.count++;
      records.starts.push(i);
      records.ends.push(i);
      records.caseNoStarts.push(-1);
      records.caseNoEnds.push(-1);
      records.nested.push(0);
    } else if (depth === 4 && stack[3] === ARRAY && stack[2] === OBJECT) {
      records.nested[record()]!++;
    }
    const recordField = depth === 3 && stack[2] === OBJECT && caseNoKey;
    if (depth === 3) caseNoKey = false;
    if (c === OPEN_BRACE) {
      stack.push(OBJECT);
      i++;
      state = FIRST_KEY;
      if (recordField) records.caseNoStarts[record()] = -1; // the last caseNo wins, and it is not a string
      continue;
    }
    if (c === OPEN_BRACKET) {
      stack.push(ARRAY);
      i++;
      state = FIRST_VALUE;
      if (recordField) records.caseNoStarts[record()] = -1;
      continue;
    }
    let end: number;
    if (c === QUOTE) end = skipString(b, i);
    else if (c === MINUS || isDigit(c)) end = skipNumber(b, i);
    else if (c === 0x74) end = skipLiteral(b, i, TRUE);
    else if (c === 0x66) end = skipLiteral(b, i, FALSE);
    else if (c === 0x6e) end = skipLiteral(b, i, NULL);
    else return { kind: 'invalid' };
    if (end < 0) return { kind: 'invalid' };
    if (recordField) {
      records.caseNoStarts[record()] = c === QUOTE ? i : -1;
      records.caseNoEnds[record()] = c === QUOTE ? end : -1;
    }
    i = end;
    state = AFTER;
    if (depth === 2) records.ends[record()] = i; // a record that is not an object (refused by the checks)
  }
}

function finish(records: ScannedRecords, maxRecords: number): ScanOutcome {
  if (records.count === 0 || records.count > maxRecords) return { kind: 'other' };
  return { kind: 'records', records };
}
