/**
 * Byte-exact emulators of the serial devices the bridge drives, for tests over socat pty
 * pairs: a VISCA camera, a Pelco-D receiver, an audio processor (generic-ascii template)
 * and a matrix switcher (SIS-style template). Each records what it received.
 */
import { SerialPort } from 'serialport';

export abstract class SerialEmulator {
  readonly received: Buffer[] = [];
  /** While true the device stays silent (a powered-off device on a live cable). */
  silent = false;
  protected port!: SerialPort;
  protected buffer: Buffer = Buffer.alloc(0);

  async open(path: string, baudRate = 9600): Promise<this> {
    this.port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => this.port.open((error) => (error ? reject(error) : resolve())));
    this.port.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.consume();
    });
    this.port.on('error', () => undefined);
    return this;
  }

  protected reply(bytes: Buffer | string): void {
    if (!this.silent) this.port.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  protected abstract consume(): void;

  async close(): Promise<void> {
    if (this.port?.isOpen) await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

/** VISCA camera at `address`: ACK + completion to commands, power inquiry, AddressSet, syntax errors. */
export class ViscaEmulator extends SerialEmulator {
  constructor(private readonly address = 1) {
    super();
  }

  protected consume(): void {
    let end: number;
    while ((end = this.buffer.indexOf(0xff)) >= 0) {
      const packet = this.buffer.subarray(0, end + 1);
      this.buffer = this.buffer.subarray(end + 1);
      this.received.push(Buffer.from(packet));
      this.handle(packet);
    }
  }

  private handle(p: Buffer): void {
    const z = 0x80 | ((this.address + 8) << 4);
    const head = (z & 0xf0) | 0x00;
    if (p[0] === 0x88 && p[1] === 0x30) return this.reply(Buffer.from([0x88, 0x30, this.address + 1, 0xff]));
    if (p[0] !== (0x80 | this.address)) return;
    if (p[1] === 0x09 && p[2] === 0x04 && p[3] === 0x00) return this.reply(Buffer.from([head, 0x50, 0x02, 0xff]));
    if (p[1] === 0x01 && p.length >= 5) {
      this.reply(Buffer.from([head, 0x41, 0xff]));
      return this.reply(Buffer.from([head, 0x51, 0xff]));
    }
    this.reply(Buffer.from([head, 0x60, 0x02, 0xff]));
  }
}

/** Pelco-D receiver: keeps whole 7-byte frames with a valid checksum, never answers. */
export class PelcoEmulator extends SerialEmulator {
  protected consume(): void {
    for (;;) {
      const start = this.buffer.indexOf(0xff);
      if (start < 0 || this.buffer.length - start < 7) return;
      const frame = this.buffer.subarray(start, start + 7);
      this.buffer = this.buffer.subarray(start + 7);
      const sum = (frame[1]! + frame[2]! + frame[3]! + frame[4]! + frame[5]!) % 256;
      if (sum === frame[6]) this.received.push(Buffer.from(frame));
    }
  }
}

/** Line-oriented ASCII audio processor (the `generic-ascii` template). */
export class AudioProcessorEmulator extends SerialEmulator {
  readonly muted = new Map<number, boolean>();
  readonly gains = new Map<number, number>();

  protected consume(): void {
    let end: number;
    while ((end = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.subarray(0, end).toString('latin1').trim();
      this.buffer = this.buffer.subarray(end + 1);
      this.received.push(Buffer.from(line, 'latin1'));
      this.reply(`${this.answer(line)}\r\n`);
    }
  }

  private answer(line: string): string {
    let m: RegExpExecArray | null;
    if (line === 'GET DEVICE') return 'DEVICE cc-audio-sim 4ch';
    if ((m = /^SET MUTE (\d+) (ON|OFF)$/.exec(line))) {
      this.muted.set(Number(m[1]), m[2] === 'ON');
      return 'OK';
    }
    if ((m = /^SET GAIN (\d+) (-?\d+(?:\.\d+)?)$/.exec(line))) {
      this.gains.set(Number(m[1]), Number(m[2]));
      return 'OK';
    }
    if ((m = /^GET LEVEL (\d+)$/.exec(line))) return `LEVEL ${m[1]} ${this.muted.get(Number(m[1])) ? -100 : -20.5}`;
    return 'ERR';
  }
}

/** SIS-style matrix switcher: `I*O!` ties, `O!` asks, `Q` is the version query. */
export class MatrixEmulator extends SerialEmulator {
  readonly routes = new Map<number, number>([
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
  ]);

  protected consume(): void {
    let m: RegExpExecArray | null;
    for (;;) {
      const text = this.buffer.toString('latin1');
      if ((m = /^(\d+)\*(\d+)!/.exec(text))) {
        this.routes.set(Number(m[2]), Number(m[1]));
        this.reply(`Out${m[2]} In${m[1]} All\r\n`);
      } else if ((m = /^(\d+)!/.exec(text))) {
        const input = this.routes.get(Number(m[1]));
        this.reply(input === undefined ? 'E10\r\n' : `${input}\r\n`);
      } else if ((m = /^Q/.exec(text))) {
        this.reply('V1.00\r\n');
      } else if (text.length > 0 && !/^\d+\*?\d*$/.test(text)) {
        m = /^[^]/.exec(text);
        this.reply('E01\r\n');
      } else {
        return;
      }
      this.received.push(Buffer.from(m![0], 'latin1'));
      this.buffer = this.buffer.subarray(m![0].length);
    }
  }
}
