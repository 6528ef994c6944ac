/** Text pieces of the simulated GB/T 28181 device: MANSCDP bodies, catalog items, its digest answer, and what it reads from an INVITE's SDP. */
import { createHash } from 'node:crypto';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** The REGISTER `Authorization` (MD5, no qop) answering a challenge. */
export function digestAuthorization(challenge: string, deviceId: string, password: string, uri: string): string {
  const realm = /realm="([^"]*)"/.exec(challenge)?.[1] ?? '';
  const nonce = /nonce="([^"]*)"/.exec(challenge)?.[1] ?? '';
  const response = md5(`${md5(`${deviceId}:${realm}:${password}`)}:${nonce}:${md5(`REGISTER:${uri}`)}`);
  return `Authorization: Digest username="${deviceId}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
}

export const gbXml = (root: string, cmd: string, sn: number, id: string, extra: string): string =>
  `<?xml version="1.0" encoding="GB2312"?>\n<${root}>\n<CmdType>${cmd}</CmdType>\n<SN>${sn}</SN>\n<DeviceID>${id}</DeviceID>\n${extra}</${root}>\n`;

export interface CatalogChange {
  channelId: string;
  name?: string;
  parentId?: string;
  status?: 'ON' | 'OFF';
  /** Catalog notification event; absent in a query answer. */
  event?: 'ON' | 'OFF' | 'VLOST' | 'DEFECT' | 'ADD' | 'DEL' | 'UPDATE';
  /** Only DeviceID and Event, as many devices send ON/OFF notifications. */
  bare?: boolean;
}

export function catalogItem(c: CatalogChange): string {
  if (c.bare) return `<Item>\n<DeviceID>${c.channelId}</DeviceID>\n<Event>${c.event ?? 'UPDATE'}</Event>\n</Item>\n`;
  const lines = [
    `<DeviceID>${c.channelId}</DeviceID>`,
    ...(c.event ? [`<Event>${c.event}</Event>`] : []),
    `<Name>${c.name ?? c.channelId}</Name>`,
    '<Manufacturer>cc-sim</Manufacturer>',
    ...(c.parentId ? [`<ParentID>${c.parentId}</ParentID>`] : []),
    '<Parental>0</Parental>',
    `<Status>${c.status ?? 'ON'}</Status>`,
  ];
  return `<Item>\n${lines.join('\n')}\n</Item>\n`;
}

/** What the device takes from the bridge's SDP offer. `transport` names the bridge's role, as the bridge's API does. */
export interface SimOffer {
  mode: 'Play' | 'Playback' | 'Download';
  transport: 'udp' | 'tcp_passive' | 'tcp_active';
  host: string;
  port: number;
  ssrc: number;
  sdp: string;
  /** Playback/download range length, s (t= end − start). */
  rangeS: number;
  downloadSpeed: number;
}

export function readOffer(sdp: string): SimOffer | undefined {
  const host = /c=IN IP4 ([0-9.]+)/.exec(sdp)?.[1];
  const media = /m=video (\d+) (TCP\/)?RTP\/AVP/i.exec(sdp);
  const mode = /s=(Play|Playback|Download)\r?\n/.exec(sdp)?.[1] as SimOffer['mode'] | undefined;
  if (!host || !media || !mode) return undefined;
  const setup = /a=setup:(active|passive)/i.exec(sdp)?.[1]?.toLowerCase();
  const range = /t=(\d+) (\d+)/.exec(sdp);
  return {
    mode,
    transport: !media[2] ? 'udp' : setup === 'active' ? 'tcp_active' : 'tcp_passive',
    host,
    port: Number(media[1]),
    ssrc: Number(/y=(\d+)/.exec(sdp)?.[1] ?? 0),
    sdp,
    rangeS: range ? Math.max(0, Number(range[2]) - Number(range[1])) : 0,
    downloadSpeed: Number(/a=downloadspeed:(\d+)/.exec(sdp)?.[1] ?? 1),
  };
}
