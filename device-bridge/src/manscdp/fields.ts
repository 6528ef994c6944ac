/** Typed reads of MANSCDP tree values (tags already lower-cased by the decoder). */
import { ManscdpError, unescapeText, type XmlNode, type XmlObject } from './decode.js';

export function text(node: XmlObject, name: string, max = 256): string | undefined {
  const value = node[name];
  if (typeof value !== 'string') return undefined;
  const unescaped = unescapeText(value).trim();
  return unescaped === '' ? undefined : unescaped.slice(0, max);
}

export function int(node: XmlObject, name: string, min = 0, max = 2 ** 31 - 1): number | undefined {
  const raw = text(node, name, 32);
  if (raw === undefined || !/^-?\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

export function float(node: XmlObject, name: string, min: number, max: number): number | undefined {
  const raw = text(node, name, 32);
  if (raw === undefined || !/^-?\d+(\.\d+)?$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= min && value <= max ? value : undefined;
}

export function child(node: XmlObject, name: string): XmlObject | undefined {
  const value = node[name];
  return typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

export function items(node: XmlObject | undefined): XmlObject[] {
  const value: XmlNode | undefined = node?.['item'];
  if (!Array.isArray(value)) return [];
  return value.filter((entry): entry is XmlObject => typeof entry === 'object' && !Array.isArray(entry));
}

export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ManscdpError('invalid', `missing or invalid ${what}`);
  return value;
}

const GB_ID = /^\d{20}$/;
export function gbId(node: XmlObject, name = 'deviceid'): string {
  const value = text(node, name, 64);
  if (value === undefined || !GB_ID.test(value)) throw new ManscdpError('invalid', `missing or invalid ${name}`);
  return value;
}

/** Longitude/latitude pair, if both are present, in range and not the 0/0 "no fix" placeholder. */
export function position(node: XmlObject): { longitude: number; latitude: number } | undefined {
  const longitude = float(node, 'longitude', -180, 180);
  const latitude = float(node, 'latitude', -90, 90);
  if (longitude === undefined || latitude === undefined || (longitude === 0 && latitude === 0)) return undefined;
  return { longitude, latitude };
}
