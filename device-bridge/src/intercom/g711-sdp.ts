/**
 * SDP for intercom calls (RFC 4566 / 3264, audio only): our G.711 offer (PCMA, PCMU,
 * 8000 Hz, ptime 20, telephone-event), reading the intercom's offer or answer, and our
 * answer to an intercom's offer. Anything we cannot use is an `SdpError` with the reason.
 */

export type G711Codec = 'PCMA' | 'PCMU';
export const G711_PAYLOAD_TYPE: Record<G711Codec, 0 | 8> = { PCMA: 8, PCMU: 0 };
/** Dynamic payload type we offer for RFC 4733 telephone-event (DTMF). */
export const TELEPHONE_EVENT_PT = 101;
export const PTIME_MS = 20;

export class SdpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SdpError';
  }
}

export interface LocalMedia {
  /** Address and port the intercom sends RTP to (and we send from: symmetric RTP). */
  host: string;
  port: number;
  /** o= session id (digits). */
  sessionId: string;
}

export interface RemoteAudio {
  host: string;
  port: number;
  codec: G711Codec;
  payloadType: number;
  /** Their telephone-event payload type, when they offered or accepted one. */
  telephoneEventPt?: number;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

function sessionLines(local: LocalMedia): string[] {
  return ['v=0', `o=cc-bridge ${local.sessionId} ${local.sessionId} IN IP4 ${local.host}`, 's=intercom', `c=IN IP4 ${local.host}`, 't=0 0'];
}

/** Our offer: PCMA first (Chinese intercoms default to it), PCMU, telephone-event. */
export function g711Offer(local: LocalMedia): string {
  return [
    ...sessionLines(local),
    `m=audio ${local.port} RTP/AVP 8 0 ${TELEPHONE_EVENT_PT}`,
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:0 PCMU/8000',
    `a=rtpmap:${TELEPHONE_EVENT_PT} telephone-event/8000`,
    `a=fmtp:${TELEPHONE_EVENT_PT} 0-15`,
    `a=ptime:${PTIME_MS}`,
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** Our answer to the intercom's offer, with the codec `parseRemoteAudio` chose. */
export function g711Answer(local: LocalMedia, remote: RemoteAudio): string {
  const pts = [remote.payloadType, ...(remote.telephoneEventPt === undefined ? [] : [remote.telephoneEventPt])];
  const mirrored = { sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' } as const;
  return [
    ...sessionLines(local),
    `m=audio ${local.port} RTP/AVP ${pts.join(' ')}`,
    `a=rtpmap:${remote.payloadType} ${remote.codec}/8000`,
    ...(remote.telephoneEventPt === undefined
      ? []
      : [`a=rtpmap:${remote.telephoneEventPt} telephone-event/8000`, `a=fmtp:${remote.telephoneEventPt} 0-15`]),
    `a=ptime:${PTIME_MS}`,
    `a=${mirrored[remote.direction]}`,
    '',
  ].join('\r\n');
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

interface AudioSection {
  port: number;
  payloadTypes: number[];
  rtpmap: Map<number, string>;
  host?: string;
  direction: RemoteAudio['direction'];
}

function readSections(sdp: string): { sessionHost?: string; audio?: AudioSection } {
  let sessionHost: string | undefined;
  let audio: AudioSection | undefined;
  let inMedia = false;
  let inAudio = false;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      inMedia = true;
      const m = /^m=audio (\d{1,5})(?:\/\d+)? RTP\/AVP((?: \d{1,3})+)$/.exec(line);
      // The first audio stream is ours; later ones (and video) are ignored.
      inAudio = m !== null && audio === undefined;
      if (m && inAudio)
        audio = { port: Number(m[1]), payloadTypes: m[2]!.trim().split(' ').map(Number), rtpmap: new Map(), direction: 'sendrecv' };
      continue;
    }
    const c = /^c=IN IP4 (\S+)$/.exec(line);
    if (c && !inMedia) sessionHost = c[1];
    if (!inAudio || !audio) continue;
    if (c) audio.host = c[1];
    const map = /^a=rtpmap:(\d{1,3}) ([A-Za-z0-9-]+)\/(\d+)/.exec(line);
    if (map) audio.rtpmap.set(Number(map[1]), `${map[2]!.toUpperCase()}/${map[3]}`);
    const dir = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line);
    if (dir) audio.direction = dir[1] as RemoteAudio['direction'];
  }
  return { sessionHost, audio };
}

function codecOf(pt: number, rtpmap: Map<number, string>): G711Codec | undefined {
  const mapped = rtpmap.get(pt);
  if (mapped === 'PCMA/8000' || (mapped === undefined && pt === 8)) return 'PCMA';
  if (mapped === 'PCMU/8000' || (mapped === undefined && pt === 0)) return 'PCMU';
  return undefined;
}

/**
 * Reads the intercom's SDP (an offer, or the answer to ours): where its RTP goes and the
 * first G.711 codec in its order of preference. Throws `SdpError` when it is unusable.
 */
export function parseRemoteAudio(sdp: string): RemoteAudio {
  if (!/^v=0\s*$/m.test(sdp)) throw new SdpError('not an SDP body (no v=0)');
  const { sessionHost, audio } = readSections(sdp);
  if (!audio) throw new SdpError('no RTP/AVP audio stream');
  if (audio.port === 0 || audio.port > 65535) throw new SdpError(`audio stream refused or invalid (port ${audio.port})`);
  const host = audio.host ?? sessionHost;
  if (!host || !IPV4.test(host)) throw new SdpError(`no usable IPv4 connection address (${host ?? 'none'})`);
  if (host === '0.0.0.0') throw new SdpError('audio stream on hold (c=0.0.0.0)');
  let chosen: { codec: G711Codec; payloadType: number } | undefined;
  for (const pt of audio.payloadTypes) {
    const codec = codecOf(pt, audio.rtpmap);
    if (codec) {
      chosen = { codec, payloadType: pt };
      break;
    }
  }
  if (!chosen) throw new SdpError(`no G.711 codec (offered payload types ${audio.payloadTypes.join(' ')})`);
  const telephoneEventPt = audio.payloadTypes.find((pt) => audio.rtpmap.get(pt) === 'TELEPHONE-EVENT/8000');
  return { host, port: audio.port, ...chosen, direction: audio.direction, ...(telephoneEventPt === undefined ? {} : { telephoneEventPt }) };
}
