import { describe, expect, it } from 'vitest';
import { scanImportBody, type ScanOutcome } from './json-scan.js';

// The scanner must accept exactly what JSON.parse accepts: the check worker writes a body's
// first slices before it has parsed the rest, trusting the scan that the rest parses.
const MAX = 1000;
const scan = (text: string | Buffer, max = MAX): ScanOutcome => {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return scanImportBody(bytes, max, (from, to) => bytes.toString('utf8', from, to));
};

/** What the worker makes of a scanned body: each record parsed from its span, caseNo, nested count. */
function read(text: string | Buffer) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const outcome = scan(bytes);
  if (outcome.kind !== 'records') return outcome.kind;
  const r = outcome.records;
  return Array.from({ length: r.count }, (_, i) => ({
    record: JSON.parse(bytes.toString('utf8', r.starts[i], r.ends[i])) as unknown,
    caseNo: r.caseNoStarts[i]! < 0 ? null : (JSON.parse(bytes.toString('utf8', r.caseNoStarts[i], r.caseNoEnds[i])) as string),
    nested: r.nested[i]!,
  }));
}

/**
 * The same from JSON.parse of the whole body; `nested` counts the elements of every array
 * field of a record (the scan's slicing hint: for a valid record that is its `nodes`).
 */
function expected(text: string) {
  const { records } = JSON.parse(text.replace(/^\uFEFF/, '')) as { records: unknown[] };
  return records.map((record) => {
    const caseNo = (record as { caseNo?: unknown } | null)?.caseNo;
    const fields = record !== null && typeof record === 'object' && !Array.isArray(record) ? Object.values(record) : [];
    const nested = fields.reduce<number>((sum, v) => sum + (Array.isArray(v) ? v.length : 0), 0);
    return { record, caseNo: typeof caseNo === 'string' ? caseNo : null, nested };
  });
}
const withoutNested = (list: ReturnType<typeof expected> | string) =>
  typeof list === 'string' ? list : list.map(({ record, caseNo }) => ({ record, caseNo }));

const sample = {
  records: [
    {
      caseNo: '(2026)京0101执1号',
      court: 'A1',
      amountOwed: 1234.5,
      nodes: [{ type: 'network_inquiry', startedAt: '2026-04-01', doneAt: null }, { type: 'funds_payout' }],
    },
    {
      caseNo: 'quote " backslash \\ slash / tab \t newline \n \u0001 中文 😀',
      nodes: [],
      n: [-0, 0.5, 1e5, -2.5e-3, 10, true, false, null],
    },
    { court: 'no case number', nodes: [[1, 2], { a: [] }] },
    { caseNo: 7 },
    'not an object',
    42,
    null,
    [1, { caseNo: 'inner' }],
    {},
  ],
};

describe('scanImportBody', () => {
  it('finds every record, its case number and node count in compact, pretty and escaped JSON', () => {
    for (const text of [
      JSON.stringify(sample),
      JSON.stringify(sample, null, 2),
      JSON.stringify(sample, null, '\t').replace(/\n/g, '\r\n'),
      '\uFEFF' + JSON.stringify(sample),
      // Keys and values written with escapes mean the same keys and values.
      JSON.stringify(sample)
        .replace(/"caseNo"/g, '"case\\u004eo"')
        .replace('"records"', '"rec\\u006frds"')
        .replace('京', '\\u4eac'),
      ` \n\t{ "records" :[ {"caseNo":"a","caseNo":"b"} , {"caseNo":"c","caseNo":{"x":1}} ,{"caseNo":[ ]} ] } \r\n`,
    ]) {
      expect(read(text), text).toEqual(expected(text));
    }
  });

  it('leaves bodies of another shape to the whole-body parse (its errors)', () => {
    for (const text of [
      '[]',
      '{}',
      '"records"',
      '{"records": []}',
      '{"records": {}}',
      '{"records": 1}',
      '{"records": [1], "extra": true}',
      '{"extra": true, "records": [1]}',
      '{"records": [1], "records": [2]}',
    ])
      expect(scan(text).kind, text).toBe('other');
    expect(scan(JSON.stringify({ records: Array.from({ length: MAX }, (_, i) => i) })).kind).toBe('records');
    expect(scan(JSON.stringify({ records: Array.from({ length: MAX + 1 }, (_, i) => i) })).kind).toBe('other');
  });

  it('refuses what JSON.parse refuses', () => {
    for (const text of [
      '',
      ' ',
      '{"records": [1]',
      '{"records": [1]} x',
      '{"records": [1]}{}',
      '{"records": [1,]}',
      '{"records": [,1]}',
      '{"records": [{"a" 1}]}',
      '{"records": [{"a":1,}]}',
      '{"records": [{a:1}]}',
      "{'records': [1]}",
      '{"records": [01]}',
      '{"records": [1.]}',
      '{"records": [.5]}',
      '{"records": [1e]}',
      '{"records": [-]}',
      '{"records": [+1]}',
      '{"records": [tru]}',
      '{"records": [nul]}',
      '{"records": [True]}',
      '{"records": ["\\x"]}',
      '{"records": ["\\u12g4"]}',
      '{"records": ["tab\there"]}',
      '{"records": ["unterminated]}',
      '{"records": [1]]',
      '{"records": [1}}',
      '{"records": [{"a":1]]}',
      '\u000b{"records": [1]}',
    ]) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(scan(text).kind, text).not.toBe('records');
    }
  });

  it('agrees with JSON.parse on 30,000 mutated bodies', () => {
    // Seeded mutations of valid bodies: replace, insert or delete a byte, mostly JSON's own
    // characters. Whenever the scan accepts, the body parses and the records are the same;
    // whenever the body parses and has the import shape, the scan accepts it.
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const alphabet = '{}[]",:\\ \n\t0123456789-+.eEtrufalsn\u0000\u001fxu/';
    // (No characters outside the BMP: deleting half of one would leave text that has no UTF-8.)
    const plain = JSON.stringify(sample).replace('😀', '');
    const bases = [
      plain,
      JSON.stringify(JSON.parse(plain), null, 1),
      JSON.stringify({ records: [{ caseNo: 'a\\"b', nodes: [1, [2], {}] }] }),
    ];
    let accepted = 0;
    for (let k = 0; k < 30_000; k++) {
      let text = bases[random(bases.length)]!;
      for (let m = 1 + random(3); m > 0; m--) {
        const at = random(text.length + 1);
        const ch = alphabet[random(alphabet.length)]!;
        const op = random(3);
        text =
          op === 0
            ? text.slice(0, at) + ch + text.slice(at + 1)
            : op === 1
              ? text.slice(0, at) + ch + text.slice(at)
              : text.slice(0, at) + text.slice(at + 1);
      }
      let parsed: unknown;
      let parses = true;
      try {
        parsed = JSON.parse(text);
      } catch {
        parses = false;
      }
      const outcome = scan(text);
      const shaped =
        parses &&
        typeof parsed === 'object' &&
        parsed !== null &&
        !Array.isArray(parsed) &&
        Object.keys(parsed).length === 1 &&
        Array.isArray((parsed as { records?: unknown }).records) &&
        (parsed as { records: unknown[] }).records.length > 0;
      if (outcome.kind === 'records') {
        accepted++;
        expect(parses, text).toBe(true);
        // (Slicing hints aside: a record naming an array field twice counts both.)
        expect(withoutNested(read(text)), text).toEqual(withoutNested(expected(text)));
      } else if (shaped) {
        // Only a body whose records JSON.parse reads differently (duplicate "records") may be left to it.
        expect(/"records"[\s\S]*"records"/.test(text), text).toBe(true);
      }
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
