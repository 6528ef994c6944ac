/**
 * One serial device under supervision: its port (reopened when it returns), its driver,
 * a liveness poll, and the online/offline state published to the hub. An unplugged
 * port or `maxMissed` unanswered polls mark it offline; it recovers by itself.
 */
import type { PtzCommand, SerialCommand } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import { makeEvent, type EventSink } from '../hub/events.js';
import type { SerialDeviceConfig } from './config.js';
import type { SerialDriver } from './driver.js';
import { SerialLink } from './link.js';
import { PelcoDriver } from './pelco-driver.js';
import { AUDIO_PRESETS, MATRIX_PRESETS } from './templates.js';
import { AudioProcessorDriver, MatrixDriver } from './template-driver.js';
import { ViscaDriver } from './visca-driver.js';

function makeDriver(config: SerialDeviceConfig, write: (bytes: Buffer) => Promise<void>): SerialDriver {
  switch (config.driver) {
    case 'visca':
      return new ViscaDriver(config.address, write, config.replyTimeoutMs);
    case 'pelco_d':
      return new PelcoDriver(config.address, write);
    case 'audio_processor': {
      const template = config.audioTemplate ?? AUDIO_PRESETS[config.preset ?? 'generic-ascii'];
      if (!template) throw new Error(`serial device ${config.deviceId}: unknown audio preset ${config.preset}`);
      return new AudioProcessorDriver(template, write, config.replyTimeoutMs);
    }
    case 'matrix': {
      const template = config.matrixTemplate ?? MATRIX_PRESETS[config.preset ?? 'sis-style'];
      if (!template) throw new Error(`serial device ${config.deviceId}: unknown matrix preset ${config.preset}`);
      return new MatrixDriver(template, write, config.replyTimeoutMs);
    }
  }
}

export class SerialDevice {
  private readonly link: SerialLink;
  readonly driver: SerialDriver;
  private online = false;
  private missed = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    readonly config: SerialDeviceConfig,
    private readonly sink: EventSink,
    private readonly logger: Logger,
  ) {
    this.link = new SerialLink(config.path, config.baudRate, logger, {
      data: (chunk) => this.driver.onData(chunk),
      open: () => void this.poll(),
      closed: () => {
        this.driver.reset();
        this.setOnline(false, 'port closed');
      },
    });
    this.driver = makeDriver(config, (bytes) => this.link.write(bytes));
  }

  start(): void {
    this.link.start();
    this.pollTimer = setInterval(() => void this.poll(), this.config.pollMs);
  }

  get isOnline(): boolean {
    return this.online;
  }

  private async poll(): Promise<void> {
    if (this.polling || !this.link.isOpen) return;
    this.polling = true;
    try {
      const answered = await this.driver.probe();
      if (answered) {
        this.missed = 0;
        this.setOnline(true);
      } else if (++this.missed >= this.config.maxMissed) {
        this.setOnline(false, 'no answer');
      }
    } finally {
      this.polling = false;
    }
  }

  private setOnline(online: boolean, error?: string): void {
    if (online === this.online) return;
    this.online = online;
    this.logger.info({ deviceId: this.config.deviceId, online, error }, online ? 'serial device online' : 'serial device offline');
    this.sink.publish(
      makeEvent('serial.status', {
        deviceId: this.config.deviceId,
        driver: this.config.driver,
        port: this.config.path,
        online,
        error,
        ...this.driver.readings?.(),
      }),
    );
  }

  async ptz(command: PtzCommand): Promise<boolean> {
    if (!this.driver.ptz) return false;
    return this.driver.ptz(command);
  }

  async command(command: SerialCommand): Promise<{ ok: boolean; routes?: Record<string, number> }> {
    if (!this.driver.command) return { ok: false };
    return this.driver.command(command);
  }

  async close(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.driver.reset();
    await this.link.close();
  }
}
