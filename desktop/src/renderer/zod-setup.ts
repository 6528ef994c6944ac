/**
 * Imported first by main.ts: the page's CSP forbids eval, so zod must neither probe for nor
 * use its JIT-compiled parsers. Schemas decide this when they are built (at import of
 * @cc/protocol), hence a module of its own that runs before any other.
 */
import { config } from 'zod';

config({ jitless: true });
