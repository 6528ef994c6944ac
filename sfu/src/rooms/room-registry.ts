/**
 * Finds or creates rooms. A room whose worker died is dropped, its peers told to rejoin,
 * and its memory (session id, lock, layout, bans, participants) kept so the room that
 * the rejoining clients recreate on a live worker continues the same session.
 */
import type { Logger } from '@cc/runtime';
import type { SfuConfig } from '../config.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import { mediaCodecs } from './media-codecs.js';
import { Room, freshMemory, type RoomMemory } from './room.js';

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly pending = new Map<string, Promise<Room>>();
  private readonly lost = new Map<string, RoomMemory>();
  /** Told about every room lost with its worker (sessions ask clients to rejoin, live sources rebuild). */
  readonly roomLostListeners = new Set<(room: Room) => void>();
  /** Called with a room whose session ended (its last peer left). */
  onSessionEnded: (room: Room) => void = () => {};

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
      creating = this.create(id);
      creating.then(
        () => this.pending.delete(id),
        () => this.pending.delete(id),
      );
      this.pending.set(id, creating);
    }
    return creating;
  }

  private async create(id: string): Promise<Room> {
    const slot = await this.pool.acquire();
    const memory = this.lost.get(id) ?? freshMemory();
    const room = await Room.create(id, slot, this.settings, this.logger, memory, async (avoid) => {
      const extra = this.pool.leastLoaded(avoid);
      const router = await extra.worker.createRouter({ mediaCodecs });
      extra.routers++;
      return { router, slot: extra };
    });
    this.lost.delete(id);
    this.rooms.set(id, room);
    for (const attachment of [...memory.attachments]) attachment.attach?.(room);
    room.onLost = () => {
      if (this.rooms.get(id) !== room) return;
      this.rooms.delete(id);
      this.lost.set(id, room.memory);
      this.logger.warn({ roomId: id }, 'room lost with its worker');
      room.markLost();
      room.close();
      for (const listener of this.roomLostListeners) listener(room);
    };
    return room;
  }

  find(id: string): Room | undefined {
    return this.rooms.get(id);
  }

  all(): Room[] {
    return [...this.rooms.values()];
  }

  /** Closes a room once its last peer left. */
  release(room: Room): void {
    if (!room.empty || this.rooms.get(room.id) !== room) return;
    this.rooms.delete(room.id);
    room.end();
    this.onSessionEnded(room);
    room.close();
  }

  get count(): number {
    return this.rooms.size;
  }

  closeAll(): void {
    for (const room of this.rooms.values()) {
      room.end();
      room.close();
    }
    this.rooms.clear();
    for (const memory of this.lost.values()) for (const attachment of memory.attachments) attachment.end?.();
    this.lost.clear();
  }
}
