/**
 * The hub's bridge client against small HTTP servers standing in for a misbehaving bridge
 * (fake bridge): one that never answers, one that answers out of protocol, one that refuses
 * the hub's credentials, none at all. Each becomes a clear `unavailable`, never a 401.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '@cc/protocol';
import { createLogger } from '@cc/runtime';
import { createBridgeClient } from './bridge-client.js';
import { FakeBridge } from './fake-bridge.js';

const key = randomBytes(32);
const logger = createLogger('hub', 'error');
const servers: Server[] = [];
let fake: FakeBridge | undefined;
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await fake?.close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(promise: Promise<unknown>): Promise<ProtocolError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtocolError);
  return error as ProtocolError;
}

describe('bridge client (fake bridge)', () => {
  it('sends the route’s method and path with a service authorization, and parses the answer', async () => {
    fake = await FakeBridge.start(key);
    const client = createBridgeClient({ url: fake.url, key, logger });
    const info = await client.call('leaveStream', { streamId: 'a:b c', viewerId: 'v/1' }, {});
    expect(info).toMatchObject({ streamId: 'a:b c', viewers: 0 });
    expect(fake.of('leaveStream')[0]?.params).toEqual({ streamId: 'a:b c', viewerId: 'v/1' });
    // Wrong input never leaves the hub.
    await expect(client.call('ptz', {}, { deviceId: 'x', channelId: 'x', command: { action: 'move', pan: 5, tilt: 0 } })).rejects.toThrow();
    expect(fake.of('ptz')).toEqual([]);
  });

  it('turns a bridge that is down, silent, out of protocol or refusing the hub into unavailable', async () => {
    const down = createBridgeClient({ url: 'http://127.0.0.1:1', key, logger });
    expect((await failure(down.call('listDevices', {}, {}))).code).toBe(ErrorCode.Unavailable);

    const silent = await serve(() => undefined);
    const timedOut = await failure(createBridgeClient({ url: silent, key, logger, timeoutMs: 300 }).call('listDevices', {}, {}));
    expect(timedOut.code).toBe(ErrorCode.Unavailable);
    expect(timedOut.details).toMatchObject({ service: 'device-bridge', reason: 'timeout' });

    const garbage = await serve((_q, s) => s.end('{"devices": 7}'));
    expect((await failure(createBridgeClient({ url: garbage, key, logger }).call('listDevices', {}, {}))).code).toBe(ErrorCode.Unavailable);

    const refusing = await serve((_q, s) => {
      s.writeHead(401, { 'content-type': 'application/json' });
      s.end(JSON.stringify({ error: { code: 'invalid_token', message: '令牌无效', messageEn: 'Invalid token' } }));
    });
    expect((await failure(createBridgeClient({ url: refusing, key, logger }).call('listDevices', {}, {}))).code).toBe(
      ErrorCode.Unavailable,
    );

    fake = await FakeBridge.start(randomBytes(32)); // another data directory's key
    expect((await failure(createBridgeClient({ url: fake.url, key, logger }).call('listDevices', {}, {}))).code).toBe(
      ErrorCode.Unavailable,
    );
  });
});
