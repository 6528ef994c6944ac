/** Statistics module: wall figures per court and in total, rankings, live `stats.changed`. */
import type { HubContext, HubModule } from '../app/module.js';
import { statsMigrations } from './aggregates.js';

function register(_ctx: HubContext): void {}

export const statsModule: HubModule = { name: 'stats', migrations: statsMigrations, register };
