/** @cc/runtime: what every Node service shares: logger, config, HTTP conventions, lifecycle. */
export * from './logger.js';
export * from './config.js';
export * from './disposables.js';
export * from './http.js';
export * from './service.js';
export * from './join-token.js';
export * from './version.js';
