/** The SDP of GB/T 28181 media sessions: our offer (PS/96 with `y=` SSRC) and the device's answer. */

export interface GbOffer {
  sipId: string;
  host: string;
  port: number;
  ssrc: string;
  mode: 'live' | 'playback' | 'download';
  transport: 'udp' | 'tcp_passive' | 'tcp_active';
  channelId: string;
  /** Playback / download range, Unix seconds. */
  start?: number;
  end?: number;
  /** Download: how many times real time the device may send (`a=downloadspeed`). */
  downloadSpeed?: number;
}

const SESSION_NAME = { live: 'Play', playback: 'Playback', download: 'Download' } as const;

export function offerSdp(o: GbOffer): string {
  const tcp = o.transport !== 'udp';
  const recorded = o.mode !== 'live';
  const lines = [
    'v=0',
    `o=${o.sipId} 0 0 IN IP4 ${o.host}`,
    `s=${SESSION_NAME[o.mode]}`,
    ...(recorded ? [`u=${o.channelId}:0`] : []),
    `c=IN IP4 ${o.host}`,
    recorded ? `t=${o.start ?? 0} ${o.end ?? 0}` : 't=0 0',
    `m=video ${o.port} ${tcp ? 'TCP/RTP/AVP' : 'RTP/AVP'} 96 97 98`,
    'a=recvonly',
    // Dahua wants PS first, right after recvonly.
    'a=rtpmap:96 PS/90000',
    'a=rtpmap:97 MPEG4/90000',
    'a=rtpmap:98 H264/90000',
    ...(tcp ? [`a=setup:${o.transport === 'tcp_passive' ? 'passive' : 'active'}`, 'a=connection:new'] : []),
    ...(o.mode === 'download' ? [`a=downloadspeed:${o.downloadSpeed ?? 1}`] : []),
    `y=${o.ssrc}`,
    '',
  ];
  return lines.join('\r\n');
}

export interface GbAnswer {
  host?: string;
  port?: number;
  ssrc?: number;
  transport: 'udp' | 'tcp';
  /** TCP: the device's role (`a=setup`); `passive` means it listens and we connect. */
  setup?: 'active' | 'passive';
  /** Download: the size the device announced (`a=filesize`). */
  fileSize?: number;
}

/** Reads what matters from the device's 200 OK SDP; tolerant of LF-only lines and extra fields. */
export function parseAnswerSdp(sdp: string): GbAnswer {
  const answer: GbAnswer = { transport: 'udp' };
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    const c = /^c=IN IP4 ([0-9.]+)/.exec(line);
    if (c) answer.host = c[1];
    const m = /^m=video (\d+) (TCP\/)?RTP\/AVP/i.exec(line);
    if (m) {
      answer.port = Number(m[1]);
      if (m[2]) answer.transport = 'tcp';
    }
    const y = /^y=(\d{1,10})$/.exec(line);
    if (y) answer.ssrc = Number(y[1]);
    const setup = /^a=setup:(active|passive)$/i.exec(line);
    if (setup) answer.setup = setup[1]!.toLowerCase() as 'active' | 'passive';
    const size = /^a=filesize:(\d{1,15})$/.exec(line);
    if (size) answer.fileSize = Number(size[1]);
  }
  return answer;
}

/** 10-digit SSRC: 0 live / 1 playback, digits 4–8 of the domain, a 4-digit counter. */
export function makeSsrc(domain: string, live: boolean, counter: number): string {
  return `${live ? 0 : 1}${domain.substring(3, 8)}${String(counter % 10_000).padStart(4, '0')}`;
}
