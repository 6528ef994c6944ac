/**
 * 督办 and 事项委托 in flight for the demo, made through the hub's own API: orders on overdue
 * nodes (some answered by the court, some of those accepted or returned), and delegations
 * between district courts in every state.
 */
import type { Delegation, FlowNode, SupervisionOrder } from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import type { DemoApi } from './api.js';
import type { DemoCourt } from './organisation.js';
import type { SeededRandom } from './random.js';

const DAY = 86_400_000;
const LEADER = 'leader01';
const courtUser = (court: string): string => `c${court}-duty`;
/** The busiest district courts (朝阳, 海淀, 丰台, 大兴, 昌平, 通州): few sessions, and per-court node queries stay cheap. */
const BUSY = ['110105', '110108', '110106', '110115', '110114', '110112'];

const CONTENT = [
  '该节点已超期，请于期限内完成并报送办理情况',
  '案款到账超过30日未发放，请立即核实并发放',
  '首次网络查控未按期发起，请说明原因并整改',
  '财产处置程序停滞，请报告评估拍卖进展',
];
const REPLIES = ['已完成整改，相关材料已上传', '已联系申请执行人，案款已发放', '已补充发起网络查控，结果附后'];

export async function issueDemoSupervision(
  ctx: HubContext,
  api: DemoApi,
  r: SeededRandom,
  count: number,
): Promise<Record<SupervisionOrder['state'], number>> {
  const states: Record<SupervisionOrder['state'], number> = { issued: 0, replied: 0, accepted: 0, returned: 0 };
  // A load interrupted after issuing some orders does not issue them again.
  if ((await api.call<{ orders: SupervisionOrder[] }>(LEADER, 'GET', '/api/v1/supervision?limit=1')).orders.length > 0) return states;
  const pool: FlowNode[] = [];
  for (const court of BUSY)
    pool.push(...(await api.call<{ nodes: FlowNode[] }>(LEADER, 'GET', `/api/v1/nodes?state=overdue&court=${court}&limit=60`)).nodes);
  for (let i = 0; i < count && pool.length > 0; i++) {
    const node = pool.splice(r.int(0, pool.length - 1), 1)[0]!;
    const dueAt = new Date(ctx.now() + r.int(2, 10) * DAY).toISOString();
    const body = { caseNo: node.caseNo, nodeId: node.id, content: r.pick(CONTENT), dueAt };
    const order = await api.call<SupervisionOrder>(LEADER, 'POST', '/api/v1/supervision', body);
    let state: SupervisionOrder['state'] = 'issued';
    if (r.chance(0.45)) {
      await api.call(courtUser(order.court), 'POST', `/api/v1/supervision/${order.id}/reply`, { content: r.pick(REPLIES) });
      state = r.weighted([
        ['replied', 4],
        ['accepted', 3],
        ['returned', 3],
      ] as const);
      if (state === 'accepted') await api.call(LEADER, 'POST', `/api/v1/supervision/${order.id}/accept`, { comment: '整改到位' });
      if (state === 'returned')
        await api.call(LEADER, 'POST', `/api/v1/supervision/${order.id}/return`, { comment: '材料不全，请补充后重新报送' });
    }
    states[state]++;
  }
  return states;
}

const ITEMS: [Delegation['item'], string][] = [
  ['freeze_deposit', '请协助冻结被执行人在贵辖区银行的存款'],
  ['seal_property', '请协助查封被执行人位于贵辖区的不动产'],
  ['investigate_assets', '请协助调查被执行人在贵辖区的财产状况'],
  ['renew_seal', '查封即将到期，请协助办理续封'],
];

/** Delegations between district courts, ending in each state of the flow. */
export async function delegateDemoItems(
  api: DemoApi,
  r: SeededRandom,
  courts: readonly DemoCourt[],
  count: number,
): Promise<Record<Delegation['state'], number>> {
  const states: Record<Delegation['state'], number> = { requested: 0, accepted: 0, rejected: 0, completed: 0, confirmed: 0 };
  if ((await api.call<{ delegations: Delegation[] }>(LEADER, 'GET', '/api/v1/delegations?limit=1')).delegations.length > 0) return states;
  const districts = BUSY.map((code) => courts.find((c) => c.code === code)).filter((c) => c !== undefined);
  for (let i = 0; i < count; i++) {
    const from = districts[i % districts.length]!;
    const to = districts[(i + 1 + r.int(0, districts.length - 2)) % districts.length]!;
    const open = await api.call<{ cases: { caseNo: string }[] }>(
      courtUser(from.code),
      'GET',
      `/api/v1/cases?court=${from.code}&status=open&limit=20`,
    );
    const [item, content] = r.pick(ITEMS);
    const created = await api.call<Delegation>(courtUser(from.code), 'POST', '/api/v1/delegations', {
      toCourt: to.code,
      ...(open.cases.length > 0 ? { caseNo: r.pick(open.cases).caseNo } : {}),
      item,
      content,
    });
    const state = r.weighted([
      ['requested', 3],
      ['accepted', 3],
      ['rejected', 1],
      ['completed', 2],
      ['confirmed', 2],
    ] as const);
    const path = `/api/v1/delegations/${created.id}`;
    if (state === 'rejected') await api.call(courtUser(to.code), 'POST', `${path}/reject`, { reason: '不属于本院辖区，请核实财产所在地' });
    if (state !== 'requested' && state !== 'rejected') await api.call(courtUser(to.code), 'POST', `${path}/accept`);
    if (state === 'completed' || state === 'confirmed') {
      await api.call(courtUser(to.code), 'POST', `${path}/complete`, {
        result: '已办理完毕，回执随附',
        receiptNo: `HZ${String(i + 1).padStart(4, '0')}`,
      });
    }
    if (state === 'confirmed') await api.call(courtUser(from.code), 'POST', `${path}/confirm`);
    states[state]++;
  }
  return states;
}
