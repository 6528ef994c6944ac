/** VISCA camera driver: commands wait for ACK and completion; CAM_PowerInq is the liveness poll. */
import type { PtzCommand } from '@cc/protocol';
import type { SerialDriver, Write } from './driver.js';
import { Exchange } from './exchange.js';
import { ViscaFramer, viscaCommand, viscaPowerInquiry, type ViscaReply } from './visca.js';

export class ViscaDriver implements SerialDriver {
  readonly kind = 'visca';
  private readonly framer = new ViscaFramer();
  private readonly exchange: Exchange<ViscaReply>;
  lastError: string | undefined;

  constructor(
    private readonly address: number,
    private readonly write: Write,
    timeoutMs = 1000,
  ) {
    this.exchange = new Exchange(timeoutMs);
  }

  onData(chunk: Buffer): void {
    for (const reply of this.framer.push(chunk)) this.exchange.offer(reply);
  }

  probe(): Promise<boolean> {
    return this.exchange.run(
      () => this.write(viscaPowerInquiry(this.address)),
      (reply) => (reply.type === 'completion' ? 'done' : reply.type === 'error' ? 'error' : 'ignore'),
    );
  }

  /** Resolves after the completion reply; false on an error reply (recorded) or no answer. */
  ptz(command: PtzCommand): Promise<boolean> {
    return this.exchange.run(
      () => this.write(viscaCommand(this.address, command)),
      (reply) => {
        if (reply.type === 'completion') return 'done';
        if (reply.type === 'error') {
          this.lastError = reply.message;
          return 'error';
        }
        return 'ignore';
      },
    );
  }

  reset(): void {
    this.exchange.cancel();
  }
}
