/** Builds bridge → hub events with their own id and time. */
import { randomUUID } from 'node:crypto';
import type { BridgeEvent, BridgeEventOf, BridgeEventType } from '@cc/protocol';

type Fields<T extends BridgeEventType> = Omit<BridgeEventOf<T>, 'eventId' | 'at' | 'type'>;

export function makeEvent<T extends BridgeEventType>(type: T, fields: Fields<T>): BridgeEventOf<T> {
  return { eventId: randomUUID(), at: new Date().toISOString(), type, ...fields } as BridgeEventOf<T>;
}

/** Where the bridge's parts publish what they see. */
export interface EventSink {
  publish(event: BridgeEvent): void;
  /** Mobile positions are batched by the sink into `positions` events. */
  position(position: BridgeEventOf<'positions'>['positions'][number]): void;
}
