/**
 * Line-based command templates for audio processors (拾音/扩音) and matrix switchers:
 * models differ, so the command set is configuration. `{name}` placeholders are filled
 * from the command; replies are lines matched by regular expressions with named groups.
 */
import { z } from 'zod';

const pattern = z.string().max(256);

export const audioTemplateSchema = z
  .object({
    /** Sent to check the device is there; any line matching `probeReply` proves it. */
    probe: z.string().max(128),
    probeReply: pattern,
    mute: z.string().max(128),
    /** Values for `{state}` in `mute`. */
    muteOn: z.string().max(16).default('1'),
    muteOff: z.string().max(16).default('0'),
    gain: z.string().max(128),
    /** Polled per channel with the probe; reply groups `channel` and `value` (dB). */
    levelQuery: z.string().max(128).optional(),
    levelReply: pattern.optional(),
    ok: pattern.default('^OK'),
    error: pattern.default('^ERR'),
    channels: z.number().int().min(1).max(64).default(4),
  })
  .strict();
export type AudioTemplate = z.infer<typeof audioTemplateSchema>;

export const matrixTemplateSchema = z
  .object({
    probe: z.string().max(128),
    probeReply: pattern,
    /** `{input}` and `{output}`. */
    route: z.string().max(128),
    /** Reply to a route (groups `input`, `output`), or `ok`. */
    routeReply: pattern,
    /** Asked per output: `{output}`; reply group `input`. */
    routeQuery: z.string().max(128),
    routeQueryReply: pattern,
    error: pattern.default('^E\\d+'),
    outputs: z.number().int().min(1).max(256).default(4),
  })
  .strict();
export type MatrixTemplate = z.infer<typeof matrixTemplateSchema>;

/** Built-in templates; a config may name one of these or give its own. */
export const AUDIO_PRESETS: Record<string, AudioTemplate> = {
  /** A common ASCII control set (SET/GET, one line per reply). */
  'generic-ascii': audioTemplateSchema.parse({
    probe: 'GET DEVICE\r\n',
    probeReply: '^DEVICE ',
    mute: 'SET MUTE {channel} {state}\r\n',
    muteOn: 'ON',
    muteOff: 'OFF',
    gain: 'SET GAIN {channel} {gainDb}\r\n',
    levelQuery: 'GET LEVEL {channel}\r\n',
    levelReply: '^LEVEL (?<channel>\\d+) (?<value>-?\\d+(?:\\.\\d+)?)',
    ok: '^OK',
    error: '^ERR',
    channels: 4,
  }),
};

export const MATRIX_PRESETS: Record<string, MatrixTemplate> = {
  /** Extron SIS style: `1*2!` ties input 1 to output 2, answered `Out2 In1 All`; `2!` asks output 2. */
  'sis-style': matrixTemplateSchema.parse({
    probe: 'Q',
    probeReply: '^V?\\d',
    route: '{input}*{output}!',
    routeReply: '^Out(?<output>\\d+) In(?<input>\\d+)',
    routeQuery: '{output}!',
    routeQueryReply: '^(?<input>\\d+)$',
    error: '^E\\d+',
    outputs: 4,
  }),
};

/** Fills `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match));
}

/** Splits incoming bytes into lines (CR, LF or CRLF), keeping the unfinished rest; long garbage is dropped. */
export class LineFramer {
  private rest = '';

  push(chunk: Buffer): string[] {
    this.rest += chunk.toString('latin1');
    const parts = this.rest.split(/\r\n|\r|\n/);
    this.rest = parts.pop() ?? '';
    if (this.rest.length > 1024) this.rest = '';
    return parts.filter((line) => line.length > 0);
  }
}
