/** Active speaker (mediasoup ActiveSpeakerObserver) and the last N speakers, most recent first. */
import type { types } from 'mediasoup';

export class SpeakerTracker {
  private readonly recent: string[] = [];
  private readonly ownerOf = new Map<string, string>();
  current: string | null = null;

  constructor(
    private readonly observer: types.ActiveSpeakerObserver,
    private readonly lastN: number,
    private readonly changed: (peerId: string | null, lastN: string[]) => void,
  ) {
    observer.on('dominantspeaker', ({ producer }) => {
      const peerId = this.ownerOf.get(producer.id);
      if (peerId) this.spoke(peerId);
    });
  }

  add(producer: types.Producer, peerId: string): void {
    this.ownerOf.set(producer.id, peerId);
    producer.observer.once('close', () => this.ownerOf.delete(producer.id));
    void this.observer.addProducer({ producerId: producer.id }).catch(() => undefined);
  }

  /** Moves a peer to the front of the recent speakers. */
  spoke(peerId: string): void {
    if (this.current === peerId) return;
    this.current = peerId;
    const at = this.recent.indexOf(peerId);
    if (at !== -1) this.recent.splice(at, 1);
    this.recent.unshift(peerId);
    this.recent.length = Math.min(this.recent.length, this.lastN);
    this.changed(peerId, [...this.recent]);
  }

  forget(peerId: string): void {
    const at = this.recent.indexOf(peerId);
    if (at !== -1) this.recent.splice(at, 1);
    if (this.current === peerId) this.current = null;
  }

  isRecent(peerId: string): boolean {
    return this.recent.includes(peerId);
  }

  get list(): string[] {
    return [...this.recent];
  }
}
