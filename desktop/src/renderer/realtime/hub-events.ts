/** Hub event envelopes parsed at the edge into typed `{ type, data }` pairs; unknown types (a newer hub) are skipped. */
import { hubEventSchemas, type HubEventData, type HubEventEnvelope, type HubEventType } from '@cc/protocol';

export type TypedHubEvent = { [T in HubEventType]: { type: T; seq: number; at: string; data: HubEventData<T> } }[HubEventType];

export function parseHubEvent(envelope: HubEventEnvelope): TypedHubEvent | undefined {
  if (!(envelope.type in hubEventSchemas)) return undefined;
  const type = envelope.type as HubEventType;
  const parsed = hubEventSchemas[type].safeParse(envelope.data);
  if (!parsed.success) return undefined;
  return { type, seq: envelope.seq, at: envelope.at, data: parsed.data } as TypedHubEvent;
}

export type HubEventHandler<T extends HubEventType> = (data: HubEventData<T>, event: { seq: number; at: string }) => void;

/** A typed callback map: handlers per event type, plus resync listeners. */
export class HubEventRouter {
  private readonly handlers = new Map<HubEventType, Set<(data: never, meta: { seq: number; at: string }) => void>>();
  private readonly resyncs = new Set<() => void>();

  on<T extends HubEventType>(type: T, handler: HubEventHandler<T>): () => void {
    const set = this.handlers.get(type) ?? new Set();
    set.add(handler as (data: never, meta: { seq: number; at: string }) => void);
    this.handlers.set(type, set);
    return () => set.delete(handler as (data: never, meta: { seq: number; at: string }) => void);
  }

  onResync(listener: () => void): () => void {
    this.resyncs.add(listener);
    return () => this.resyncs.delete(listener);
  }

  dispatch(event: TypedHubEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) {
      (handler as (data: typeof event.data, meta: { seq: number; at: string }) => void)(event.data, { seq: event.seq, at: event.at });
    }
  }

  resync(): void {
    for (const listener of this.resyncs) listener();
  }
}
