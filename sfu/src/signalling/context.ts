/** What a signalling session may use: rooms, the join-token key, the hub record sender, the recorder. */
import type { Logger } from '@cc/runtime';
import type { SfuConfig } from '../config.js';
import type { HubRecords } from '../records/hub-records.js';
import type { Recordings } from '../recording/recordings.js';
import type { RoomRegistry } from '../rooms/room-registry.js';

export interface SfuContext {
  settings: SfuConfig;
  dataDir: string;
  rooms: RoomRegistry;
  joinKey: Buffer;
  records: HubRecords;
  recordings: Recordings;
  logger: Logger;
}
