import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { fakeFetch } from '../testing/fakes';
import { systemDeps, useSystemStore } from './system';

describe('system store', () => {
  it('shows the hub and the services it probes, then reconnecting when the hub stops answering', async () => {
    let hubUp = true;
    const fake = fakeFetch((r) => {
      if (!hubUp) throw new Error('connection refused');
      if (r.path === '/healthz') return { status: 200, body: { status: 'ok', uptimeS: 12 } };
      if (r.path === '/api/v1/system/services') {
        return {
          status: 200,
          body: {
            services: [
              { service: 'sfu', state: 'online', health: { uptimeS: 5 } },
              { service: 'device-bridge', state: 'offline' },
            ],
          },
        };
      }
      return undefined;
    });
    systemDeps.baseUrl = () => 'http://hub.test/';
    systemDeps.fetchImpl = fake.fetchImpl;
    setActivePinia(createPinia());
    const system = useSystemStore();
    expect(system.hub.state).toBe('connecting');
    await system.refresh();
    expect(system.hub).toEqual({ service: 'hub', state: 'online', uptimeS: 12 });
    expect(system.others).toEqual([
      { service: 'sfu', state: 'online', uptimeS: 5 },
      { service: 'device-bridge', state: 'offline' },
    ]);
    hubUp = false;
    await system.refresh();
    expect(system.hub.state).toBe('reconnecting');
    expect(system.others.map((s) => s.state)).toEqual(['offline', 'offline']);
  });

  it('keeps the services online when an older poll’s timed-out probe fails after a newer poll answered', async () => {
    let failFirst = (): void => undefined;
    const held = new Promise<void>((r) => (failFirst = r));
    let probes = 0;
    systemDeps.baseUrl = () => 'http://hub.test/';
    systemDeps.fetchImpl = fakeFetch((r) => {
      if (r.path === '/healthz') return { status: 200, body: { status: 'ok', uptimeS: 12 } };
      if (r.path !== '/api/v1/system/services') return undefined;
      probes += 1;
      // The first poll's probe hangs until its timeout; the next poll's answers at once.
      if (probes === 1)
        return held.then(() => {
          throw new Error('The operation was aborted due to timeout');
        });
      return { status: 200, body: { services: [{ service: 'sfu', state: 'online' }] } };
    }).fetchImpl;
    setActivePinia(createPinia());
    const system = useSystemStore();
    const first = system.refresh();
    await vi.waitFor(() => expect(probes).toBe(1));
    await system.refresh();
    expect([system.hub.state, system.others]).toEqual(['online', [{ service: 'sfu', state: 'online' }]]);
    failFirst();
    await first;
    expect([system.hub.state, system.others]).toEqual(['online', [{ service: 'sfu', state: 'online' }]]);
  });

  it('shows offline when the hub never answered', async () => {
    systemDeps.fetchImpl = fakeFetch(() => {
      throw new Error('connection refused');
    }).fetchImpl;
    setActivePinia(createPinia());
    const system = useSystemStore();
    await system.refresh();
    expect(system.hub.state).toBe('offline');
    expect(system.lastChecked).toBeInstanceOf(Date);
  });
});
