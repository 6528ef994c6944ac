/** Minimal SIP text handling for the simulated devices: fast enough for 20 000 devices in one process. */

export interface SipText {
  firstLine: string;
  status?: number;
  method?: string;
  headers: Map<string, string[]>;
  body: string;
}

const COMPACT: Record<string, string> = {
  i: 'call-id',
  f: 'from',
  t: 'to',
  v: 'via',
  l: 'content-length',
  c: 'content-type',
  m: 'contact',
};

export function parseSipText(text: string): SipText | undefined {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  const lines = head.split('\r\n');
  const firstLine = lines[0] ?? '';
  const headers = new Map<string, string[]>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    let name = line.slice(0, colon).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    const list = headers.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    headers.set(name, list);
  }
  if (firstLine.startsWith('SIP/2.0 ')) return { firstLine, status: Number(firstLine.slice(8, 11)), headers, body };
  const method = firstLine.split(' ')[0];
  return method ? { firstLine, method, headers, body } : undefined;
}

export const header = (message: SipText, name: string): string | undefined => message.headers.get(name)?.[0];

/** A 200 OK (or other status) answering a request, echoing its dialog headers. */
export function answer(request: SipText, status: number, reason: string, toTag: string): string {
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const via of request.headers.get('via') ?? []) lines.push(`Via: ${via}`);
  const to = header(request, 'to') ?? '';
  lines.push(`From: ${header(request, 'from') ?? ''}`, `To: ${to.includes(';tag=') ? to : `${to};tag=${toTag}`}`);
  lines.push(`Call-ID: ${header(request, 'call-id') ?? ''}`, `CSeq: ${header(request, 'cseq') ?? ''}`, 'Content-Length: 0', '', '');
  return lines.join('\r\n');
}
