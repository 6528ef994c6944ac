/** Audio processor and matrix switcher drivers driven by line templates (see templates.ts). */
import type { SerialCommand } from '@cc/protocol';
import type { SerialDriver, SerialReadings, Write } from './driver.js';
import { Exchange } from './exchange.js';
import { LineFramer, fill, type AudioTemplate, type MatrixTemplate } from './templates.js';

abstract class LineDriver {
  protected readonly framer = new LineFramer();
  protected readonly exchange: Exchange<string>;

  constructor(
    protected readonly write: Write,
    timeoutMs: number,
  ) {
    this.exchange = new Exchange(timeoutMs);
  }

  onData(chunk: Buffer): void {
    for (const line of this.framer.push(chunk)) this.exchange.offer(line);
  }

  /** Sends one command line; `reply` decides; `error` fails it. */
  protected ask(text: string, reply: RegExp, error: RegExp, onMatch?: (groups: Record<string, string>) => void): Promise<boolean> {
    return this.exchange.run(
      () => this.write(Buffer.from(text, 'latin1')),
      (line) => {
        const match = reply.exec(line);
        if (match) {
          onMatch?.(match.groups ?? {});
          return 'done';
        }
        return error.test(line) ? 'error' : 'ignore';
      },
    );
  }

  reset(): void {
    this.exchange.cancel();
  }
}

export class AudioProcessorDriver extends LineDriver implements SerialDriver {
  readonly kind = 'audio_processor';
  private levels: Record<string, number> = {};
  private readonly re: { probe: RegExp; ok: RegExp; error: RegExp; level?: RegExp };

  constructor(
    private readonly template: AudioTemplate,
    write: Write,
    timeoutMs = 1000,
  ) {
    super(write, timeoutMs);
    this.re = {
      probe: new RegExp(template.probeReply),
      ok: new RegExp(template.ok),
      error: new RegExp(template.error),
      level: template.levelReply ? new RegExp(template.levelReply) : undefined,
    };
  }

  async probe(): Promise<boolean> {
    if (!(await this.ask(this.template.probe, this.re.probe, this.re.error))) return false;
    const { levelQuery } = this.template;
    const levelRe = this.re.level;
    if (!levelQuery || !levelRe) return true;
    for (let channel = 1; channel <= this.template.channels; channel++) {
      await this.ask(fill(levelQuery, { channel }), levelRe, this.re.error, (g) => {
        const value = Number(g.value);
        if (Number.isFinite(value)) this.levels[g.channel ?? String(channel)] = value;
      });
    }
    return true;
  }

  async command(command: SerialCommand): Promise<{ ok: boolean }> {
    const { template, re } = this;
    if (command.action === 'mute') {
      const state = command.muted ? template.muteOn : template.muteOff;
      return { ok: await this.ask(fill(template.mute, { channel: command.channel, state }), re.ok, re.error) };
    }
    if (command.action === 'gain')
      return { ok: await this.ask(fill(template.gain, { channel: command.channel, gainDb: command.gainDb }), re.ok, re.error) };
    return { ok: false };
  }

  readings(): SerialReadings {
    return { levels: { ...this.levels } };
  }
}

export class MatrixDriver extends LineDriver implements SerialDriver {
  readonly kind = 'matrix';
  private routes: Record<string, number> = {};
  private readonly re: { probe: RegExp; route: RegExp; query: RegExp; error: RegExp };

  constructor(
    private readonly template: MatrixTemplate,
    write: Write,
    timeoutMs = 1000,
  ) {
    super(write, timeoutMs);
    this.re = {
      probe: new RegExp(template.probeReply),
      route: new RegExp(template.routeReply),
      query: new RegExp(template.routeQueryReply),
      error: new RegExp(template.error),
    };
  }

  probe(): Promise<boolean> {
    return this.ask(this.template.probe, this.re.probe, this.re.error);
  }

  private async queryRoutes(): Promise<Record<string, number>> {
    const routes: Record<string, number> = {};
    for (let output = 1; output <= this.template.outputs; output++) {
      await this.ask(fill(this.template.routeQuery, { output }), this.re.query, this.re.error, (g) => {
        const input = Number(g.input);
        if (Number.isInteger(input)) routes[String(output)] = input;
      });
    }
    this.routes = routes;
    return routes;
  }

  async command(command: SerialCommand): Promise<{ ok: boolean; routes?: Record<string, number> }> {
    if (command.action === 'route') {
      const ok = await this.ask(fill(this.template.route, { input: command.input, output: command.output }), this.re.route, this.re.error);
      if (ok) this.routes[String(command.output)] = command.input;
      return { ok, routes: { ...this.routes } };
    }
    if (command.action === 'queryRoutes') return { ok: true, routes: await this.queryRoutes() };
    return { ok: false };
  }

  readings(): SerialReadings {
    return { routes: { ...this.routes } };
  }
}
