/**
 * One serial port, kept open: opens it, reopens it after it vanished (USB adapter
 * unplugged, socat pty gone) every second, and tells its owner when it opened or closed.
 */
import { SerialPort } from 'serialport';
import type { Logger } from '@cc/runtime';

export interface SerialLinkHandlers {
  data(chunk: Buffer): void;
  open(): void;
  closed(reason: string): void;
}

export class SerialLink {
  private port: SerialPort | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closing = false;
  private lastError = '';

  constructor(
    readonly path: string,
    private readonly baudRate: number,
    private readonly logger: Logger,
    private readonly handlers: SerialLinkHandlers,
    private readonly retryMs = 1000,
  ) {}

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  start(): void {
    if (this.closing) return;
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    port.on('data', (chunk: Buffer) => this.handlers.data(chunk));
    port.on('error', (error) => this.logger.debug({ path: this.path, err: error.message }, 'serial error'));
    port.on('close', () => {
      if (this.port !== port) return;
      this.port = undefined;
      this.handlers.closed('port closed');
      this.schedule();
    });
    port.open((error) => {
      if (error) {
        if (error.message !== this.lastError)
          this.logger.warn({ path: this.path, err: error.message }, 'serial port cannot be opened, retrying');
        this.lastError = error.message;
        this.schedule();
        return;
      }
      if (this.closing) {
        port.close();
        return;
      }
      this.lastError = '';
      this.port = port;
      this.logger.info({ path: this.path }, 'serial port open');
      this.handlers.open();
    });
  }

  private schedule(): void {
    if (this.closing || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.start();
    }, this.retryMs);
  }

  write(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(new Error(`serial port ${this.path} is not open`));
    return new Promise((resolve, reject) => port.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.retry) clearTimeout(this.retry);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
