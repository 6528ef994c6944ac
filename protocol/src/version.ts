/**
 * Protocol versioning. Every HTTP API lives under `/api/v{PROTOCOL_MAJOR}` and every
 * WebSocket stream greets with `{ type: 'hello', protocol: PROTOCOL_VERSION }`.
 * Additive changes (new optional fields, new message types) bump the minor; anything
 * a peer of the same major could misread bumps the major.
 */
export const PROTOCOL_MAJOR = 1;
export const PROTOCOL_MINOR = 0;
export const PROTOCOL_VERSION = `${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}`;
export const API_PREFIX = `/api/v${PROTOCOL_MAJOR}`;
