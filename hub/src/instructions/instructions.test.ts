import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEventEnvelope, Instruction } from '@cc/protocol';
import { putUnit } from '../orgs/repository.js';
import { startTestHub, type TestHub } from '../cases/test-support.js';

let hub: TestHub;
let events: HubEventEnvelope[];
beforeEach(async () => {
  hub = await startTestHub();
  events = [];
  hub.ctx.events.subscribe((batch) => events.push(...batch));
  putUnit(hub.ctx.db, { id: 'unit-b-1', name: '乙院单兵1', kind: 'individual', court: 'B1', members: [], devices: [], callSign: 'B-1' });
});
afterEach(async () => {
  await hub.close();
});

describe('指令 instructions', () => {
  it('tracks delivery and acknowledgement per recipient, court-scoped', async () => {
    const sent = await hub.request<Instruction>('POST', '/api/v1/instructions', hub.tokens.officer, {
      title: '节前集中执行行动',
      content: '各院于今日18时前上报出警安排',
      recipients: [
        { kind: 'court', id: 'A1' },
        { kind: 'court', id: 'B1' },
        { kind: 'unit', id: 'unit-b-1' },
      ],
    });
    expect(sent.status).toBe(201);
    expect(sent.body.recipients.map((r) => [r.recipient, r.court, r.state])).toEqual([
      ['court:A1', 'A1', 'sent'],
      ['court:B1', 'B1', 'sent'],
      ['unit:unit-b-1', 'B1', 'sent'],
    ]);
    const base = `/api/v1/instructions/${sent.body.id}`;
    await hub.request('POST', `${base}/delivered`, hub.tokens.courtA, { recipient: 'court:A1' });
    const ack = await hub.request<Instruction>('POST', `${base}/ack`, hub.tokens.courtA, { recipient: 'court:A1', note: '收到' });
    expect(ack.body.recipients).toEqual([
      expect.objectContaining({
        recipient: 'court:A1',
        state: 'acknowledged',
        note: '收到',
        acknowledgedBy: expect.objectContaining({ name: '甲法院用户' }),
      }),
    ]);
    expect((await hub.request('POST', `${base}/ack`, hub.tokens.courtA, { recipient: 'court:B1' })).status).toBe(404);
    // Acknowledging without a delivery report counts as delivered too.
    await hub.request('POST', `${base}/ack`, hub.tokens.courtB, { recipient: 'unit:unit-b-1' });
    const full = await hub.request<Instruction>('GET', base, hub.tokens.officer);
    expect(full.body.recipients.map((r) => [r.recipient, r.state, r.deliveredAt !== null])).toEqual([
      ['court:A1', 'acknowledged', true],
      ['court:B1', 'sent', false],
      ['unit:unit-b-1', 'acknowledged', true],
    ]);
    const pendingB = await hub.request<{ instructions: Instruction[] }>('GET', '/api/v1/instructions?pending=true', hub.tokens.courtB);
    expect(pendingB.body.instructions[0]?.recipients.map((r) => r.recipient)).toEqual(['court:B1', 'unit:unit-b-1']);
    const pendingA = await hub.request<{ instructions: Instruction[] }>('GET', '/api/v1/instructions?pending=true', hub.tokens.courtA);
    expect(pendingA.body.instructions).toHaveLength(0);
    const states = events
      .filter((e) => e.type === 'instruction.changed')
      .map((e) => `${e.court}:${(e.data as { recipient: string; state: string }).recipient}:${(e.data as { state: string }).state}`);
    expect(states).toEqual([
      'A1:court:A1:sent',
      'B1:court:B1:sent',
      'B1:unit:unit-b-1:sent',
      'A1:court:A1:delivered',
      'A1:court:A1:acknowledged',
      'B1:unit:unit-b-1:acknowledged',
    ]);
  });

  it('refuses unknown recipients and non-centre senders, writing nothing', async () => {
    const before = (hub.ctx.db.prepare('SELECT COUNT(*) AS n FROM instructions').get() as { n: number }).n;
    const bad = await hub.request('POST', '/api/v1/instructions', hub.tokens.officer, {
      title: 't',
      content: 'c',
      recipients: [{ kind: 'unit', id: 'ghost' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'validation_failed', details: { unknownRecipient: 'unit:ghost' } } });
    expect(
      (
        await hub.request('POST', '/api/v1/instructions', hub.tokens.courtA, {
          title: 't',
          content: 'c',
          recipients: [{ kind: 'court', id: 'B1' }],
        })
      ).status,
    ).toBe(403);
    expect((hub.ctx.db.prepare('SELECT COUNT(*) AS n FROM instructions').get() as { n: number }).n).toBe(before);
  });
});
