import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '@cc/protocol';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../testing/test-hub.js';

let hub: TestHub;
afterEach(async () => hub?.close());

const BJ_HIGH = { code: '110000', name: '北京市高级人民法院', level: 'high', parentCode: null, lat: 39.9, lon: 116.4 };
const DONGCHENG = { code: '110101', name: '北京市东城区人民法院', level: 'basic', parentCode: '110000', lat: 39.93, lon: 116.42 };
const XICHENG = { code: '110102', name: '北京市西城区人民法院', level: 'basic', parentCode: '110000', lat: 39.91, lon: 116.37 };

async function seedCourts(admin: Record<string, string>): Promise<void> {
  for (const court of [BJ_HIGH, DONGCHENG, XICHENG]) expect((await hub.call('POST', '/api/v1/courts', court, admin)).status).toBe(201);
}

/** Collects frames from the event stream until `count` arrived. */
function streamFrames(url: string, count: number, onHello?: () => void): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const frames: any[] = [];
    socket.on('message', (data) => {
      frames.push(JSON.parse(String(data)));
      if (frames.length === 1) onHello?.();
      if (frames.length === count) {
        socket.close();
        resolve(frames);
      }
    });
    socket.on('error', reject);
    socket.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('hub core (real SQLite file)', () => {
  it('signs in with a password, refuses a wrong one, and rate-limits repeated failures per source', async () => {
    hub = await startTestHub();
    const wrong = await hub.call('POST', '/api/v1/auth/login', { username: 'admin', password: 'nope-nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'unauthenticated', message: '未登录或登录已失效' });
    for (let i = 0; i < 4; i++) await hub.call('POST', '/api/v1/auth/login', { username: 'admin', password: 'nope-nope' });
    const limited = await hub.call('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
  });

  it('requires a session for every API call and checks the role', async () => {
    hub = await startTestHub();
    expect((await hub.call('GET', '/api/v1/courts')).status).toBe(401);
    expect((await hub.call('GET', '/api/v1/courts', undefined, { authorization: 'Bearer forged' })).status).toBe(401);
    const admin = await hub.login('admin', ADMIN_PASSWORD);
    await seedCourts(admin);
    const created = await hub.call(
      'POST',
      '/api/v1/people',
      { username: 'dc-user', name: '东城法院用户', role: 'court_user', court: '110101', password: 'court-pass-1' },
      admin,
    );
    expect(created.status).toBe(201);
    const courtUser = await hub.login('dc-user', 'court-pass-1');
    expect((await hub.call('POST', '/api/v1/courts', { ...XICHENG, code: '110105', name: '北京市朝阳区人民法院' }, courtUser)).status).toBe(
      403,
    );
    // A court user sees only its own court's people.
    await hub.call(
      'POST',
      '/api/v1/people',
      { username: 'xc-user', name: '西城法院用户', role: 'court_user', court: '110102', password: 'court-pass-2' },
      admin,
    );
    const seen = await hub.call('GET', '/api/v1/people', undefined, courtUser);
    expect(seen.body.people.map((p: any) => p.username)).toEqual(['dc-user']);
    // Deactivating a person ends their sessions at once.
    await hub.call('PATCH', `/api/v1/people/${created.body.id}`, { active: false }, admin);
    expect((await hub.call('GET', '/api/v1/auth/me', undefined, courtUser)).status).toBe(401);
  });

  it('rejects bad input with a clear error and changes nothing', async () => {
    hub = await startTestHub();
    const admin = await hub.login('admin', ADMIN_PASSWORD);
    await seedCourts(admin);
    const before = hub.context.audit.verify().entries;
    const cases = [
      await hub.call('POST', '/api/v1/courts', '{"code": "1101', admin),
      await hub.call('POST', '/api/v1/courts', { ...XICHENG, code: '110106', name: '丰台', colour: 'red' }, admin),
      await hub.call('POST', '/api/v1/courts', { ...XICHENG, code: '110106', name: '丰台法院', parentCode: '999999' }, admin),
      await hub.call('POST', '/api/v1/courts', { ...XICHENG, lat: 'north' }, admin),
      await hub.call('POST', '/api/v1/courts', DONGCHENG, admin),
    ];
    expect(cases.map((c) => c.body.error.code)).toEqual([
      'bad_request',
      'validation_failed',
      'validation_failed',
      'validation_failed',
      'conflict',
    ]);
    const huge = await hub.call('POST', '/api/v1/courts', { ...XICHENG, address: 'x'.repeat(40 * 1024 * 1024) }, admin);
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    expect((await hub.call('GET', '/api/v1/courts', undefined, admin)).body.courts).toHaveLength(3);
    expect(hub.context.audit.verify().entries).toBe(before);
  });

  it('hash-chains the audit log and reports the first altered entry', async () => {
    hub = await startTestHub();
    const admin = await hub.login('admin', ADMIN_PASSWORD);
    await seedCourts(admin);
    await hub.call('PATCH', '/api/v1/courts/110101', { phone: '010-12345678' }, admin);
    const verified = await hub.call('GET', '/api/v1/audit/verify', undefined, admin);
    expect(verified.body.ok).toBe(true);
    const trail = (await hub.call('GET', '/api/v1/audit?target=court:110101', undefined, admin)).body.entries;
    expect(trail.map((e: any) => e.action)).toEqual(['court.create', 'court.update']);
    expect(trail[1]).toMatchObject({
      actor: { name: '系统管理员', role: 'admin', source: '127.0.0.1' },
      before: { phone: '' },
      after: { phone: '010-12345678' },
    });

    hub.context.db.prepare("UPDATE audit_log SET after_json = replace(after_json, '12345678', '87654321') WHERE seq = ?").run(trail[1].seq);
    const broken = hub.context.audit.verify();
    expect(broken.ok).toBe(false);
    expect(broken.firstBreak).toEqual({ seq: trail[1].seq, reason: 'entry was altered' });
  });

  it('streams events with sequence numbers, replays what a reconnecting client missed, and says resync when too old', async () => {
    hub = await startTestHub();
    const admin = await hub.login('admin', ADMIN_PASSWORD);
    const token = admin.authorization!.slice(7);
    const ws = `${hub.url.replace('http', 'ws')}/api/v1/events?token=${token}`;
    const [hello, first] = await streamFrames(ws, 2, () => void hub.call('POST', '/api/v1/courts', BJ_HIGH, admin));
    expect(hello).toMatchObject({ type: 'hello', protocol: PROTOCOL_VERSION });
    expect(first.event).toMatchObject({
      type: 'entity.changed',
      court: '110000',
      data: { entity: 'court', id: '110000', action: 'created' },
    });

    await hub.call('POST', '/api/v1/courts', DONGCHENG, admin);
    await hub.call('POST', '/api/v1/courts', XICHENG, admin);
    const replay = await streamFrames(`${ws}&since=${first.event.seq}`, 3);
    expect(replay.slice(1).map((f) => f.event.data.id)).toEqual(['110101', '110102']);
    expect(replay[2].event.seq).toBe(replay[1].event.seq + 1);

    hub.context.db.prepare('DELETE FROM events WHERE seq <= ?').run(replay[1].event.seq);
    const tooOld = await streamFrames(`${ws}&since=${first.event.seq - 1}`, 2);
    expect(tooOld[1]).toEqual({ type: 'resync', seq: replay[2].event.seq });

    const refused = await streamFrames(`${hub.url.replace('http', 'ws')}/api/v1/events?token=forged`, 1).catch((e: Error) => e.message);
    expect(refused).toBe('HTTP 401');
  });
});
