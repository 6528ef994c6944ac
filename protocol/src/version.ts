/**
 * Protocol versioning. Every HTTP API lives under `/api/v{PROTOCOL_MAJOR}` and every
 * WebSocket stream greets with `{ type: 'hello', protocol: PROTOCOL_VERSION }`.
 * Additive changes (new optional fields, new message types) bump the minor; anything
 * a peer of the same major could misread bumps the major. 1.1: everything added up to
 * 2026-11-22 (node-type English names and graded reminders, supervision caseNo filter and
 * cursor paging, deduction periods, devices, calls).
 */
export const PROTOCOL_MAJOR = 1;
export const PROTOCOL_MINOR = 1;
export const PROTOCOL_VERSION = `${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}`;
export const API_PREFIX = `/api/v${PROTOCOL_MAJOR}`;
