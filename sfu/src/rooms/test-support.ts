/** For tests of rooms on a real mediasoup worker: one pool and room registry per test file. */
import { afterAll, beforeAll } from 'vitest';
import { createLogger } from '@cc/runtime';
import { sfuConfigSchema, type SfuConfig } from '../config.js';
import { WorkerPool } from '../workers/worker-pool.js';
import { RoomRegistry } from './room-registry.js';

export interface RealRooms {
  readonly settings: SfuConfig;
  readonly pool: WorkerPool;
  readonly rooms: RoomRegistry;
}

/** Starts a worker pool (one worker unless `overrides` say otherwise) before the file's tests and closes it after. */
export function realRooms(overrides: Record<string, unknown> = {}): RealRooms {
  const settings = sfuConfigSchema.parse({ workers: 1, ...overrides });
  const logger = createLogger('sfu-test', 'silent');
  let pool: WorkerPool | undefined;
  let rooms: RoomRegistry | undefined;
  beforeAll(async () => {
    pool = await WorkerPool.create(settings, logger);
    rooms = new RoomRegistry(pool, settings, logger);
  });
  afterAll(() => {
    rooms?.closeAll();
    pool?.close();
  });
  return {
    settings,
    get pool() {
      if (!pool) throw new Error('realRooms: used before its beforeAll ran');
      return pool;
    },
    get rooms() {
      if (!rooms) throw new Error('realRooms: used before its beforeAll ran');
      return rooms;
    },
  };
}
