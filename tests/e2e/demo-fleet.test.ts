/**
 * `npm start -- --headless` on the demo dataset brings the field units to life: the launcher
 * prepares the demo fleet once the hub is up, starts the bridge with the fleet's device
 * credentials, then runs the fleet (real GB/T 28181 devices over SIP/UDP). The hub sees the
 * devices online, units' positions move near their courts, and a fleet SOS becomes an alarm.
 * A few devices only (CC_DEMO_MAX_DEVICES), no video: the CPU stays modest.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { descendants, health, isAlive, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';

const DEVICES = 8;
let running: Running | undefined;

afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  running = undefined;
});

interface Unit {
  id: string;
  court: string;
  devices: string[];
  position: { lat: number; lon: number; at: string } | null;
}

async function get<T>(t: TestEnv, path: string, token: string): Promise<T> {
  const response = await fetch(`${t.hubUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

const km = (a: { lat: number; lon: number }, b: { lat: number; lon: number }): number =>
  Math.hypot((a.lat - b.lat) * 111.32, (a.lon - b.lon) * 111.32 * Math.cos((a.lat * Math.PI) / 180));

describe('demo fleet', () => {
  it('puts devices online, moves units near their courts, raises an SOS alarm, survives a bridge crash and a fleet crash, and leaves no process after SIGTERM', async () => {
    const t = await testEnv({
      CC_HUB_DEMO: 'auto',
      CC_DEMO_FLEET: 'auto',
      CC_DEMO_MAX_DEVICES: String(DEVICES),
      CC_DEMO_VIDEO_DEVICES: '0',
      CC_DEMO_POSITION_INTERVAL_S: '1',
      CC_DEMO_FIRST_SOS_S: '3',
      CC_DEMO_SOS_INTERVAL_S: '3600',
    });
    running = startNode('launcher/dist/main.js', ['--headless'], t.env);
    await waitFor('demo hub healthy', () => health(t.hubUrl), 150_000);
    const line = await waitFor(
      'the launcher says the demo fleet runs',
      () => /demo fleet 演示终端\s+(\d+) simulated/.exec(running?.output() ?? '') ?? undefined,
      90_000,
    );
    expect(Number(line[1])).toBe(DEVICES);

    const login = await fetch(`${t.hubUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'duty01', password: 'demo-2026' }),
    });
    const token = ((await login.json()) as { token: string }).token;

    const online = await waitFor(
      'fleet devices online in the hub',
      async () => {
        const { devices } = await get<{ devices: { id: string; online: boolean }[] }>(t, '/api/v1/devices', token);
        const ids = devices.filter((d) => d.online).map((d) => d.id);
        return ids.length >= DEVICES ? ids : undefined;
      },
      60_000,
    );
    const { units } = await get<{ units: Unit[] }>(t, '/api/v1/units', token);
    const { courts } = await get<{ courts: { code: string; lat: number; lon: number }[] }>(t, '/api/v1/courts', token);
    const fleetUnits = units.filter((u) => u.devices.some((d) => online.includes(d)));
    expect(new Set(fleetUnits.map((u) => u.court)).size).toBeGreaterThanOrEqual(DEVICES - 1);

    // Positions move: compare each fleet unit with its first reading until several changed.
    const first = new Map(fleetUnits.map((u) => [u.id, u.position]));
    const moved = await waitFor(
      'fleet units moving',
      async () => {
        const now = (await get<{ units: Unit[] }>(t, '/api/v1/units', token)).units.filter((u) => first.has(u.id));
        const changed = now.filter((u) => {
          const before = first.get(u.id);
          return u.position && before && (u.position.lat !== before.lat || u.position.lon !== before.lon);
        });
        return changed.length >= 2 ? now : undefined;
      },
      90_000,
    );
    for (const unit of moved) {
      const court = courts.find((c) => c.code === unit.court)!;
      expect(unit.position).not.toBeNull();
      expect(km(unit.position!, court)).toBeLessThan(10);
    }

    // The fleet's first SOS (3 s after start) is an alarm of kind sos on one of its units.
    const sos = await waitFor(
      'a fleet SOS in the hub',
      async () => {
        const { incidents } = await get<{ incidents: { id: string }[] }>(t, '/api/v1/incidents?status=all&limit=500', token);
        for (const incident of incidents) {
          const detail = await get<{ alarms: { kind: string; deviceId: string | null; unitId: string | null }[] }>(
            t,
            `/api/v1/incidents/${incident.id}`,
            token,
          );
          const alarm = detail.alarms.find((a) => a.kind === 'sos' && a.deviceId !== null && online.includes(a.deviceId));
          if (alarm) return alarm;
        }
        return undefined;
      },
      60_000,
    );
    expect(fleetUnits.map((u) => u.id)).toContain(sos.unitId);

    // A bridge that crashed forgets registrations: the launcher restarts it (same devices file), the
    // fleet's next position MESSAGE gets 403 and its devices register again.
    const bridgeBefore = (await health(t.bridgeUrl))!;
    process.kill(bridgeBefore.pid, 'SIGKILL');
    await waitFor(
      'the restarted bridge with every fleet device registered again',
      async () => {
        const answer = await health(t.bridgeUrl);
        const online = (answer?.details.devices as { online?: number } | undefined)?.online ?? 0;
        return answer && answer.pid !== bridgeBefore.pid && online >= DEVICES ? answer : undefined;
      },
      90_000,
    );

    // The fleet is owned like a service: killed, it is restarted (with backoff) and logged.
    const fleetPid = () => descendants(running?.child.pid ?? 0).find((pid) => cmdline(pid).includes('demo-fleet-main.js run'));
    const killed = fleetPid()!;
    process.kill(killed, 'SIGKILL');
    await waitFor('a new demo fleet process', () => {
      const pid = fleetPid();
      return pid !== undefined && pid !== killed ? pid : undefined;
    });
    await waitFor('the restart logged', () =>
      /"service":"demo-fleet".*"signal":"SIGKILL".*service exited unexpectedly; restarting/.test(running?.output() ?? '')
        ? true
        : undefined,
    );

    const family = descendants(running.child.pid ?? 0);
    expect(family.length).toBeGreaterThanOrEqual(5);
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
    await waitFor('every child gone', () => (family.every((pid) => !isAlive(pid)) ? true : undefined), 20_000);
  }, 420_000);

  it('refuses an invalid demo.fleet and names it', async () => {
    const t = await testEnv({ CC_DEMO_FLEET: 'sometimes' });
    running = startNode('launcher/dist/main.js', ['--headless'], t.env);
    const exit = await running.exited;
    expect(exit.code).toBe(78);
    expect(running.output()).toContain('demo.fleet');
    expect(running.output()).toContain('CC_DEMO_FLEET');
    expect(await health(t.hubUrl)).toBeUndefined();
  });
});
