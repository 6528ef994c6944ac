/** Renders a service's JSON log line for a human at a terminal; other lines pass through. */
const LEVEL_TAGS: Record<string, string> = { trace: 'TRC', debug: 'DBG', info: 'INF', warn: 'WRN', error: 'ERR', fatal: 'FTL' };
const RESERVED = new Set(['level', 'time', 'service', 'pid', 'msg', 'hostname']);

export function formatLogLine(line: string, fallbackService: string): string {
  if (!line.startsWith('{')) return `${fallbackService.padEnd(13)} ${line}`;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
    const level = LEVEL_TAGS[String(entry.level)] ?? String(entry.level);
    const service = String(entry.service ?? fallbackService);
    const extras = Object.entries(entry)
      .filter(([key]) => !RESERVED.has(key))
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    return `${time} ${level} ${service.padEnd(13)} ${String(entry.msg ?? '')}${extras ? `  ${extras}` : ''}`;
  } catch {
    return `${fallbackService.padEnd(13)} ${line}`;
  }
}
