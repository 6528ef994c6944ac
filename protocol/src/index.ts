/** @cc/protocol: every message that crosses a process boundary, as zod schemas. No I/O. */
export * from './version.js';
export * from './errors.js';
export * from './health.js';
export * from './join-token.js';
export * from './sfu/signalling.js';
export * from './bridge/events.js';
export * from './bridge/commands.js';
export * from './sfu/moderation.js';
export * from './sfu/ingest.js';
export * from './consultation.js';
export * from './hub/events.js';
export * from './hub/auth.js';
export * from './hub/orgs.js';
export * from './hub/alarms.js';
export * from './hub/catalog.js';
export * from './hub/cases.js';
export * from './hub/duty.js';
