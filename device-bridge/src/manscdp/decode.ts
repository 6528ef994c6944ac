/**
 * MANSCDP bodies from bytes to an XML tree: charset detection (UTF-8 when the bytes are
 * valid UTF-8, otherwise GB18030, whatever the declaration says), the Hikvision
 * repairs (bare `&`, a raw `<` inside `<Address>`), no DOCTYPE or entity processing.
 * Tag names are lower-cased because devices disagree on case (`<Info>`/`<info>`).
 */
import iconv from 'iconv-lite';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Largest MANSCDP body the bridge reads (a 64 KiB SIP MESSAGE is already unusual). */
export const MANSCDP_MAX_BYTES = 64 * 1024;

export type XmlNode = string | XmlObject | XmlNode[];
export interface XmlObject {
  [name: string]: XmlNode;
}

export class ManscdpError extends Error {
  constructor(
    readonly reason: 'too_large' | 'charset' | 'doctype' | 'malformed' | 'unsupported' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ManscdpError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a body (the `sip` package's latin1 string, or bytes) to text. */
export function decodeBody(body: string | Buffer): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  if (bytes.length > MANSCDP_MAX_BYTES) throw new ManscdpError('too_large', `body of ${bytes.length} bytes exceeds ${MANSCDP_MAX_BYTES}`);
  let ascii = true;
  for (const byte of bytes) {
    if (byte > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes.toString('latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    return iconv.decode(bytes, 'gb18030');
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  transformTagName: (name) => name.toLowerCase(),
  transformAttributeName: (name) => name.toLowerCase(),
  isArray: (name) => name === 'item',
});

const BARE_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});)/g;

/** Parses MANSCDP text to a tree with exactly one root element (Query, Control, Notify, Response). */
export function parseXml(text: string): { root: string; body: XmlObject } {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new ManscdpError('doctype', 'DOCTYPE and entity declarations are not accepted');
  let repaired = text.replace(BARE_AMPERSAND, '&amp;');
  if (XMLValidator.validate(repaired) !== true) {
    repaired = repaired.replace(/<Address>[^\n]*<\/Address>/gi, '');
    const verdict = XMLValidator.validate(repaired);
    if (verdict !== true) throw new ManscdpError('malformed', `malformed XML: ${verdict.err.msg} (line ${verdict.err.line})`);
  }
  let tree: XmlObject;
  try {
    tree = parser.parse(repaired) as XmlObject;
  } catch (error) {
    // The validator and the parser disagree on some inputs (found by fuzzing).
    throw new ManscdpError('malformed', `malformed XML: ${(error as Error).message}`);
  }
  const roots = Object.keys(tree).filter((key) => !key.startsWith('?'));
  const root = roots[0];
  const body = root === undefined ? undefined : tree[root];
  if (roots.length !== 1 || root === undefined || body === undefined || typeof body !== 'object' || Array.isArray(body)) {
    throw new ManscdpError('malformed', 'expected one root element');
  }
  return { root, body };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Replaces the five predefined entities and numeric references in a text value. */
export function unescapeText(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_match, name: string) => {
    if (name.startsWith('#x')) return safeCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return safeCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? '';
  });
}

function safeCodePoint(code: number): string {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}
