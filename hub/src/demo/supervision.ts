/**
 * 督办 in flight for the demo, made through the hub's own API (in-process requests), so the
 * orders go through the same checks, audit and events as a leader's: orders on overdue nodes,
 * some answered by the court, some of those accepted or returned.
 */
import type { FlowNode, SupervisionOrder } from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import type { SeededRandom } from './random.js';

const DAY = 86_400_000;

interface Session {
  call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T>;
  close(): void;
}

function session(ctx: HubContext, username: string, password: string): Session {
  const { token } = ctx.auth.login(username, password, 'demo');
  return {
    async call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
      const response = await ctx.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      if (response.statusCode >= 300) throw new Error(`demo ${method} ${url}: ${response.statusCode} ${response.body}`);
      return response.json<T>();
    },
    close: () => ctx.auth.logout(token),
  };
}

const CONTENT = [
  '该节点已超期，请于期限内完成并报送办理情况',
  '案款到账超过30日未发放，请立即核实并发放',
  '首次网络查控未按期发起，请说明原因并整改',
  '财产处置程序停滞，请报告评估拍卖进展',
];
const REPLIES = ['已完成整改，相关材料已上传', '已联系申请执行人，案款已发放', '已补充发起网络查控，结果附后'];

export async function issueDemoSupervision(
  ctx: HubContext,
  r: SeededRandom,
  password: string,
  count: number,
): Promise<Record<SupervisionOrder['state'], number>> {
  const leader = session(ctx, 'leader01', password);
  const courts = new Map<string, Session>();
  const states: Record<SupervisionOrder['state'], number> = { issued: 0, replied: 0, accepted: 0, returned: 0 };
  try {
    // A load interrupted after issuing some orders does not issue them again.
    if ((await leader.call<{ orders: SupervisionOrder[] }>('GET', '/api/v1/supervision?limit=1')).orders.length > 0) return states;
    const { nodes } = await leader.call<{ nodes: FlowNode[] }>('GET', '/api/v1/nodes?state=overdue&limit=500');
    const pool = [...nodes];
    for (let i = 0; i < count && pool.length > 0; i++) {
      const node = pool.splice(r.int(0, pool.length - 1), 1)[0]!;
      const dueAt = new Date(ctx.now() + r.int(2, 10) * DAY).toISOString();
      const order = await leader.call<SupervisionOrder>('POST', '/api/v1/supervision', {
        caseNo: node.caseNo,
        nodeId: node.id,
        content: r.pick(CONTENT),
        dueAt,
      });
      let state: SupervisionOrder['state'] = 'issued';
      if (r.chance(0.45)) {
        const court = courts.get(order.court) ?? session(ctx, `c${order.court}-duty`, password);
        courts.set(order.court, court);
        await court.call('POST', `/api/v1/supervision/${order.id}/reply`, { content: r.pick(REPLIES) });
        state = r.weighted([
          ['replied', 4],
          ['accepted', 3],
          ['returned', 3],
        ] as const);
        if (state === 'accepted') await leader.call('POST', `/api/v1/supervision/${order.id}/accept`, { comment: '整改到位' });
        if (state === 'returned')
          await leader.call('POST', `/api/v1/supervision/${order.id}/return`, { comment: '材料不全，请补充后重新报送' });
      }
      states[state]++;
    }
  } finally {
    leader.close();
    for (const s of courts.values()) s.close();
  }
  return states;
}
