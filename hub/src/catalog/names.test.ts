import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubEventEnvelope, NodeType, NodeTypePutResult } from '@cc/protocol';
import { startTestHub, type TestHub } from '../cases/test-support.js';
import { defaultCatalog } from './default-catalog.js';

let hub: TestHub | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const TYPE_URL = '/api/v1/catalog/node-types/network_inquiry';
const listTypes = async (h: TestHub): Promise<NodeType[]> =>
  (await h.request<{ nodeTypes: NodeType[] }>('GET', '/api/v1/catalog/node-types', h.tokens.officer)).body.nodeTypes;
const getType = async (h: TestHub, url = TYPE_URL): Promise<NodeType> => (await h.request<NodeType>('GET', url, h.tokens.officer)).body;
const bodyOf = ({ code: _code, ...rest }: NodeType): Omit<NodeType, 'code'> => rest;
const auditCount = (h: TestHub): number => (h.ctx.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;

describe('English node type names', () => {
  it('the catalog API gives every default type its English name', async () => {
    hub = await startTestHub();
    const types = await listTypes(hub);
    expect(types).toHaveLength(defaultCatalog.length);
    for (const t of types) {
      expect(t.nameEn, t.code).toBe(defaultCatalog.find((d) => d.code === t.code)?.nameEn);
      expect(t.nameEn!.length, t.code).toBeLessThanOrEqual(64);
      expect(t.nameEn, t.code).toMatch(/^[\x20-\x7e]+$/);
    }
    expect((await getType(hub)).nameEn).toBe('Network asset inquiry on filing');
  });

  it('an admin sets an English name; a type created without one has none', async () => {
    hub = await startTestHub();
    const events: HubEventEnvelope[] = [];
    hub.ctx.events.subscribe((batch) => events.push(...batch));
    const current = await getType(hub);
    const body = { ...bodyOf(current), nameEn: '  First network inquiry after filing ' };
    const officer = await hub.request('PUT', TYPE_URL, hub.tokens.officer, body);
    expect(officer.status).toBe(403);
    const res = await hub.request<NodeTypePutResult>('PUT', TYPE_URL, hub.tokens.admin, body);
    expect(res.status).toBe(200);
    expect(res.body.nameEn).toBe('First network inquiry after filing');
    expect(res.body.recomputed).toEqual({ nodes: 0, moved: 0 });
    expect(await getType(hub)).toEqual({ ...current, nameEn: 'First network inquiry after filing' });
    expect(events.map((e) => e.type)).toContain('catalog.changed');
    const audit = hub.ctx.db.prepare("SELECT before_json, after_json FROM audit_log WHERE action = 'catalog.update'").get() as {
      before_json: string;
      after_json: string;
    };
    expect(JSON.parse(audit.before_json).nameEn).toBe('Network asset inquiry on filing');
    expect(JSON.parse(audit.after_json).nameEn).toBe('First network inquiry after filing');

    const created = await hub.request('PUT', '/api/v1/catalog/node-types/local_check', hub.tokens.admin, {
      ...bodyOf(current),
      name: '本院自定节点',
      nameEn: undefined,
    });
    expect(created.status).toBe(200);
    expect(await getType(hub, '/api/v1/catalog/node-types/local_check')).not.toHaveProperty('nameEn');
  });

  it('refuses an empty or too long English name with a clear error, and changes nothing', async () => {
    hub = await startTestHub();
    const before = await getType(hub);
    const audits = auditCount(hub);
    for (const [nameEn, problem] of [
      ['', 'English name: empty'],
      ['   ', 'English name: empty'],
      ['x'.repeat(65), 'English name: at most 64 characters'],
    ] as const) {
      const res = await hub.request<{ error: { code: string; message: string; messageEn: string; details: unknown } }>(
        'PUT',
        TYPE_URL,
        hub.tokens.admin,
        { ...bodyOf(before), nameEn },
      );
      expect(res.status, JSON.stringify(nameEn)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual({ issues: [{ path: 'nameEn', problem }] });
    }
    expect(await getType(hub)).toEqual(before);
    expect(auditCount(hub)).toBe(audits);
  });

  it('a store seeded before English names existed gets the defaults where the Chinese name is unchanged', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cc-hub-catalog-'));
    dirs.push(dataDir);
    hub = await startTestHub({ dataDir });
    // As after migration catalog-003 on an older store: no English names; one type renamed by an admin.
    hub.ctx.db.prepare('UPDATE node_types SET name_en = NULL').run();
    hub.ctx.db.prepare("UPDATE node_types SET name = '本院网络查控' WHERE code = 'network_inquiry'").run();
    await hub.close();
    hub = await startTestHub({ dataDir });
    const types = new Map((await listTypes(hub)).map((t) => [t.code, t]));
    expect(types.get('handler_assignment')?.nameEn).toBe('Assignment of the case handler');
    expect(types.get('network_inquiry')).not.toHaveProperty('nameEn');
    expect(types.get('network_inquiry')?.name).toBe('本院网络查控');
    const upgrade = hub.ctx.db.prepare("SELECT after_json FROM audit_log WHERE action = 'catalog.upgrade' ORDER BY seq DESC").get() as {
      after_json: string;
    };
    expect(JSON.parse(upgrade.after_json).nameEn).toHaveLength(defaultCatalog.length - 1);
  });
});
