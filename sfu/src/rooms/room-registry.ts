/** Finds or creates rooms; a room whose worker died is dropped and its peers told to rejoin. */
import type { Logger } from '@cc/runtime';
import type { SfuConfig } from '../config.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import { Room } from './room.js';

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly pending = new Map<string, Promise<Room>>();
  /** Called with a room that was lost with its worker. */
  onRoomLost: (room: Room) => void = () => {};

  constructor(
    private readonly pool: WorkerPool,
    private readonly settings: SfuConfig,
    private readonly logger: Logger,
  ) {}

  async get(id: string): Promise<Room> {
    const existing = this.rooms.get(id);
    if (existing) return existing;
    let creating = this.pending.get(id);
    if (!creating) {
      creating = Room.create(id, this.pool.leastLoaded(), this.settings, this.logger).then((room) => {
        this.rooms.set(id, room);
        this.pending.delete(id);
        room.router.observer.once('close', () => {
          if (this.rooms.get(id) !== room) return;
          this.rooms.delete(id);
          this.logger.warn({ roomId: id }, 'room lost with its worker');
          this.onRoomLost(room);
        });
        return room;
      });
      creating.catch(() => this.pending.delete(id));
      this.pending.set(id, creating);
    }
    return creating;
  }

  /** Closes a room once its last peer left. */
  release(room: Room): void {
    if (!room.empty || this.rooms.get(room.id) !== room) return;
    this.rooms.delete(room.id);
    room.close();
  }

  get count(): number {
    return this.rooms.size;
  }

  closeAll(): void {
    for (const room of this.rooms.values()) room.close();
    this.rooms.clear();
  }
}
