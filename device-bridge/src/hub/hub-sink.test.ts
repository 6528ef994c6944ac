import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, loadJoinTokenKey, serviceAuthorization } from '@cc/runtime';
import { startHubStub, type HubStub } from '../sim/hub-stub.js';
import { makeEvent } from './events.js';
import { HubSink } from './hub-sink.js';

const wait = async (what: string, probe: () => boolean, ms = 10_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('HubSink (against the stub hub over real HTTP)', () => {
  let hub: HubStub | undefined;
  let sink: HubSink | undefined;
  afterEach(async () => {
    sink?.close();
    await hub?.close();
  });

  const setup = async (maxQueued = 50_000): Promise<{ hub: HubStub; sink: HubSink }> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cc-sink-'));
    hub = await startHubStub(dataDir);
    const key = loadJoinTokenKey(dataDir);
    sink = new HubSink({
      hubUrl: hub.url,
      authorization: () => serviceAuthorization(key, 'device-bridge'),
      logger: createLogger('test', 'silent'),
      positionFlushMs: 50,
      maxQueued,
    });
    return { hub, sink };
  };
  const alarm = (sn: number) =>
    makeEvent('alarm', { deviceId: '34020000001320000001', channelId: '34020000001320000001', priority: 1, method: 2, sn });

  it('delivers alarms at once and batches positions', async () => {
    const { hub, sink } = await setup();
    sink.publish(alarm(1));
    for (let i = 0; i < 5; i++)
      sink.position({ deviceId: '34020000001320000001', time: '2026-11-21T20:00:00', longitude: 116 + i / 100, latitude: 39.9 });
    await wait('delivered', () => hub.of('alarm').length === 1 && hub.of('positions').length >= 1);
    expect(hub.of('positions').flatMap((e) => e.positions)).toHaveLength(5);
    expect(hub.refused).toBe(0);
  });

  it('queues while the hub is down and retries; drops the oldest non-alarms beyond the bound but never an alarm', async () => {
    const { hub, sink } = await setup(10);
    hub.down = true;
    for (let i = 0; i < 20; i++) sink.publish(alarm(i));
    for (let i = 0; i < 20; i++) sink.publish(makeEvent('device.online', { deviceId: `dev-${i}`, kind: 'gb28181' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(hub.events).toHaveLength(0);
    hub.down = false;
    await wait('alarms after recovery', () => hub.of('alarm').length === 20, 15_000);
    expect(hub.of('alarm').map((e) => e.sn)).toEqual([...Array(20).keys()]);
    expect(sink.stats().dropped).toBe(20);
    expect(hub.of('device.online')).toHaveLength(0);
  });
});
