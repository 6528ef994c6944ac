/** Pelco-D camera driver: send-only (Pelco-D cameras do not answer), so liveness is the port itself. */
import type { PtzCommand } from '@cc/protocol';
import type { SerialDriver, Write } from './driver.js';
import { pelcoCommand } from './pelco-d.js';

export class PelcoDriver implements SerialDriver {
  readonly kind = 'pelco_d';

  constructor(
    private readonly address: number,
    private readonly write: Write,
  ) {}

  onData(): void {
    // Pelco-D receivers do not reply.
  }

  probe(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async ptz(command: PtzCommand): Promise<boolean> {
    await this.write(pelcoCommand(this.address, command));
    return true;
  }

  reset(): void {}
}
