/**
 * MANSRTSP: the RTSP-like playback control GB/T 28181 carries in in-dialog SIP INFO
 * (`Content-Type: Application/MANSRTSP`): PLAY with Range (seek, resume) or Scale
 * (speed), PAUSE. Built by the bridge, parsed by the simulated device and for bad input.
 */
import type { PlaybackControl } from '@cc/protocol';

export const MANSRTSP_CONTENT_TYPE = 'Application/MANSRTSP';

export interface MansrtspRequest {
  method: 'PLAY' | 'PAUSE' | 'TEARDOWN';
  cseq: number;
  /** `Range: npt=START-`: seconds from the start of the recording, or `now` (resume where paused). */
  rangeStart?: number | 'now';
  /** `Scale`: playback speed, 0.25–4 (a sign-less float). */
  scale?: number;
}

export class MansrtspError extends Error {}

/** The MANSRTSP text for a control action. */
export function mansrtspFor(control: PlaybackControl, cseq: number): string {
  const lines = (first: string, header: string): string => `${first} RTSP/1.0\r\nCSeq: ${cseq}\r\n${header}\r\n\r\n`;
  switch (control.action) {
    case 'pause':
      return lines('PAUSE', 'PauseTime: now');
    case 'resume':
      return lines('PLAY', 'Range: npt=now-');
    case 'seek':
      return lines('PLAY', `Range: npt=${Number(control.offsetS.toFixed(3))}-`);
    case 'speed':
      return lines('PLAY', `Scale: ${control.scale.toFixed(6)}`);
  }
}

const MAX_BYTES = 2048;

/** Parses a MANSRTSP body (`RTSP/1.0` or `MANSRTSP/1.0` token, CRLF or LF); throws MansrtspError when malformed. */
export function parseMansrtsp(text: string): MansrtspRequest {
  if (text.length > MAX_BYTES) throw new MansrtspError('MANSRTSP body too large');
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const first = /^(PLAY|PAUSE|TEARDOWN) (?:MANS)?RTSP\/1\.0$/.exec(lines[0]?.trim() ?? '');
  if (!first) throw new MansrtspError('MANSRTSP request line must be PLAY, PAUSE or TEARDOWN with RTSP/1.0');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MansrtspError(`MANSRTSP header without a colon: ${line.slice(0, 40)}`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const cseq = Number(headers.get('cseq'));
  if (!Number.isInteger(cseq) || cseq < 0 || cseq > 2 ** 31) throw new MansrtspError('MANSRTSP CSeq missing or not an integer');
  const request: MansrtspRequest = { method: first[1] as MansrtspRequest['method'], cseq };
  const range = headers.get('range');
  if (range !== undefined) {
    const npt = /^npt=(now|\d{1,9}(?:\.\d{1,6})?)-(?:\d{1,9}(?:\.\d{1,6})?)?$/.exec(range);
    if (!npt) throw new MansrtspError(`MANSRTSP Range not understood: ${range.slice(0, 40)}`);
    request.rangeStart = npt[1] === 'now' ? 'now' : Number(npt[1]);
  }
  const scale = headers.get('scale');
  if (scale !== undefined) {
    const value = /^\d{1,3}(?:\.\d{1,6})?$/.test(scale) ? Number(scale) : NaN;
    if (!(value >= 0.25 && value <= 4)) throw new MansrtspError(`MANSRTSP Scale must be 0.25–4: ${scale.slice(0, 20)}`);
    request.scale = value;
  }
  return request;
}
