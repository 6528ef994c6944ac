/** Deterministic message mutation for the parser fuzz tests (seeded PRNG, byte- and token-level edits). */

/** xorshift32: the same seed gives the same run, so a failure can be replayed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

const TOKENS = [
  '\r\n',
  '\r\n\r\n',
  '<',
  '>',
  '&',
  '&amp;',
  '&#0;',
  '&#x110000;',
  '"',
  ';',
  ':',
  '@',
  '=',
  ',',
  '\u0000',
  '<Item>',
  '</Item>',
  '<![CDATA[',
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
  '<?xml version="1.0"?>',
  '99999999999999999999999',
  '-1',
  'NaN',
  '1e308',
  '执法',
  '\xff\xfe',
  'Content-Length: 999999',
  'Expires: -5',
  'Authorization: Digest response=',
  'SIP/2.0',
];

/** One mutated copy of `seed` (a latin1 string), 1–4 edits. */
export function mutate(seed: string, random: () => number): string {
  let text = seed;
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (text.length + 1));
    switch (Math.floor(random() * 8)) {
      case 0: {
        const code = text.charCodeAt(at) ^ (1 << Math.floor(random() * 8));
        text = text.slice(0, at) + String.fromCharCode(code & 0xff) + text.slice(at + 1);
        break;
      }
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 16));
        break;
      case 2:
        text = text.slice(0, at) + TOKENS[Math.floor(random() * TOKENS.length)]! + text.slice(at);
        break;
      case 3:
        text = text.slice(0, at);
        break;
      case 4: {
        const len = Math.floor(random() * 64);
        text = text.slice(0, at) + text.slice(at, at + len).repeat(1 + Math.floor(random() * 4)) + text.slice(at);
        break;
      }
      case 5: {
        const other = Math.floor(random() * text.length);
        text = text.slice(0, at) + text.slice(other, other + 32) + text.slice(at);
        break;
      }
      case 6:
        text = text.replace(/\d+/, String(Math.floor(random() * 2 ** 32) - 2 ** 31));
        break;
      default:
        text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 256)) + text.slice(at);
    }
  }
  return text;
}
