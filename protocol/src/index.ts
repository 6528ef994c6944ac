/** @cc/protocol: every message that crosses a process boundary, as zod schemas. No I/O. */
export * from './version.js';
export * from './errors.js';
export * from './health.js';
export * from './join-token.js';
export * from './sfu/signalling.js';
