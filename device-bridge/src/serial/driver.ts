/** What every serial device driver offers the serial device supervisor. */
import type { PtzCommand, SerialCommand } from '@cc/protocol';

export interface SerialReadings {
  levels?: Record<string, number>;
  routes?: Record<string, number>;
}

export interface SerialDriver {
  readonly kind: 'visca' | 'pelco_d' | 'audio_processor' | 'matrix';
  /** Bytes from the port. */
  onData(chunk: Buffer): void;
  /** Is the device there? Drivers of send-only protocols answer true while the port is open. */
  probe(): Promise<boolean>;
  ptz?(command: PtzCommand): Promise<boolean>;
  command?(command: SerialCommand): Promise<{ ok: boolean; routes?: Record<string, number> }>;
  /** Readings gathered by the last probe (levels, routes). */
  readings?(): SerialReadings;
  /** The port closed: abandon what is pending. */
  reset(): void;
}

export type Write = (bytes: Buffer) => Promise<void>;
