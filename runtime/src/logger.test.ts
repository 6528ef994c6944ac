import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, LineSink } from './logger.js';

/** A real Unix stream socket, as the launcher gives each service for its stdout: our end's fd and the reader's end. */
async function socketPair(): Promise<{ writer: Socket; reader: Socket; fd: number; close: () => void }> {
  const path = join(mkdtempSync(join(tmpdir(), 'cc-log-')), 's');
  const server = createServer();
  server.listen(path);
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const writer = connect(path);
  await once(writer, 'connect');
  const [reader] = await accepted;
  const fd = (writer as unknown as { _handle: { fd: number } })._handle.fd;
  return { writer, reader, fd, close: () => (writer.destroy(), reader.destroy(), server.close()) };
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('the log line sink', () => {
  it('writes JSON lines the reader receives', async () => {
    const pair = await socketPair();
    cleanup = pair.close;
    const received: Buffer[] = [];
    pair.reader.on('data', (chunk: Buffer) => received.push(chunk));
    const logger = createLogger('hub', 'info', new LineSink(pair.fd));
    logger.info({ court: '110108' }, '已接收');
    logger.debug('not at this level');
    await new Promise((r) => setTimeout(r, 50));
    const lines = Buffer.concat(received).toString().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', service: 'hub', court: '110108', msg: '已接收' });
  });

  it('drops lines at once when the reader is gone (the launcher was killed), also fatal ones, instead of retrying forever (the old sink hung here)', async () => {
    const pair = await socketPair();
    cleanup = pair.close;
    pair.reader.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const sink = new LineSink(pair.fd);
    const logger = createLogger('sfu', 'info', sink);
    logger.info({ reason: 'supervisor gone' }, 'stopping');
    logger.fatal('uncaught exception');
    logger.info('stopped');
    expect(sink.broken).toBe(true);
    expect(sink.dropped).toBe(3);
  });
});
