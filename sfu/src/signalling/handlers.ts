/** One typed handler per signalling request (the map replaces a string switch). */
import type { HandlerMap } from './handler-map.js';
import { mediaHandlers } from './media-handlers.js';
import { moderationHandlers } from './moderation-handlers.js';

export const handlers: HandlerMap = { ...mediaHandlers, ...moderationHandlers };
