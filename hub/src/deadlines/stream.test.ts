import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HubStreamFrame } from '@cc/protocol';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { importCases } from '../cases/import.js';
import { startTestHub, type TestHub } from '../cases/test-support.js';
import { deadlineEngineOf } from './index.js';

let hub: TestHub;
let sockets: WebSocket[];
beforeEach(async () => {
  hub = await startTestHub();
  sockets = [];
});
afterEach(async () => {
  for (const ws of sockets) ws.terminate();
  await hub.close();
});

/** A real WebSocket client on the event stream, collecting event types with their court. */
async function listen(port: number, token: string): Promise<string[]> {
  const seen: string[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/events?token=${token}`);
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString()) as HubStreamFrame;
      if (frame.type === 'hello') resolve();
      if (frame.type === 'event' && frame.event.type.startsWith('node.')) seen.push(`${frame.event.type}@${frame.event.court}`);
    });
    ws.on('error', reject);
  });
  return seen;
}

describe('deadline events on the WebSocket stream', () => {
  it('delivers 超期 to the centre and to the node court only', async () => {
    await hub.ctx.app.listen({ host: '127.0.0.1', port: 0 });
    const address = hub.ctx.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const centre = await listen(port, hub.tokens.officer);
    const courtA = await listen(port, hub.tokens.courtA);
    const courtB = await listen(port, hub.tokens.courtB);
    importCases(hub.ctx, SYSTEM_ACTOR, [
      {
        caseNo: '(2026)甲执1号',
        court: 'A1',
        kind: 'first',
        filedAt: '2026-05-31',
        amountOwed: 1,
        nodes: [{ type: 'network_inquiry', startedAt: '2026-05-31' }],
      },
    ]);
    hub.clock.now = Date.parse('2026-06-04T00:00:00+08:00');
    deadlineEngineOf(hub.ctx.db).tick();
    const deadline = Date.now() + 5000;
    while (centre.length < 1 || courtA.length < 1) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(centre).toEqual(['node.overdue@A1']);
    expect(courtA).toEqual(['node.overdue@A1']);
    expect(courtB).toEqual([]);
  });
});
