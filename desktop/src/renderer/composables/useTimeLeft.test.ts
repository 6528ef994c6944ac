import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSSRApp, defineComponent, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createI18n, useI18n } from 'vue-i18n';
import type { FlowNode } from '@cc/protocol';
import { messages, type Locale } from '../i18n/messages';
import { useCasesStore } from '../stores/cases';
import { chinaDay } from '../stores/cases-model';
import { sessionDeps, useSessionStore } from '../stores/session';
import { useSupervisionStore } from '../stores/supervision';
import { fakeHub } from '../testing/fake-hub';
import { sampleCase } from '../testing/samples';
import { useNodeTypeName } from './useNodeTypeName';
import { useTimeLeft } from './useTimeLeft';

const CASE_NO = '(2026)京0108执7号';

const node = (id: number, type: string, state: FlowNode['state'], dueAt: string): FlowNode => ({
  id,
  caseNo: CASE_NO,
  court: '110108',
  type,
  category: 'supervised',
  cycle: 0,
  startedAt: '2026-06-01T00:00:00.000Z',
  dueAt,
  doneAt: null,
  state,
});

/** Due at 00:00 China time (12-02, 11-26, 11-24): a freeze renewal (last reminder D-7), a payout (D-1), an inquiry. */
const NODES = [
  node(1, 'freeze_renewal', 'due_soon', '2026-12-01T16:00:00.000Z'),
  node(2, 'funds_payout', 'due_soon', '2026-11-25T16:00:00.000Z'),
  node(3, 'network_inquiry', 'overdue', '2026-11-23T16:00:00.000Z'),
];

const theCase = sampleCase({ caseNo: CASE_NO, filedAt: '2026-06-01T00:00:00.000Z', nodes: NODES });

/** The node table's state cell: the cases store's rows, each with its countdown, marked when it stands out. */
const StateCells = defineComponent({
  setup() {
    const cases = useCasesStore();
    const timeLeft = useTimeLeft();
    return () =>
      h(
        'ul',
        cases.nodes.map((row) =>
          h('li', { 'data-node': row.node.id, 'data-pressing': row.timeLeft && timeLeft.pressing(row.timeLeft, row.node.type) }, [
            row.timeLeft ? timeLeft.text(row.timeLeft) : '',
          ]),
        ),
      );
  },
});

const render = (pinia: Pinia, locale: Locale): Promise<string> =>
  renderToString(
    createSSRApp(StateCells)
      .use(pinia)
      .use(createI18n({ legacy: false, locale, fallbackLocale: 'zh-CN', messages })),
  );

async function consoleWithCase(): Promise<{ pinia: Pinia; remind: (daysLeft: number) => void; unfollow: () => void }> {
  const hub = fakeHub((r) => {
    if (r.path === '/api/v1/auth/me')
      return { status: 200, body: { id: 'p1', username: 'u', name: '王值班', role: 'duty_officer', court: null } };
    if (decodeURIComponent(r.path) === `/api/v1/cases/${CASE_NO}`) return { status: 200, body: theCase };
    return undefined;
  });
  await useSessionStore().restore();
  useSupervisionStore().nodeTypes = {
    freeze_renewal: { name: '续行冻结', lastWarnDays: 7 },
    funds_payout: { name: '案款发放', lastWarnDays: 1 },
  };
  const cases = useCasesStore();
  const unfollow = cases.follow();
  hub.connect();
  hub.hello();
  await cases.open(CASE_NO);
  const remind = (daysLeft: number): void =>
    hub.event(
      'node.due_soon',
      { nodeId: 1, caseNo: CASE_NO, type: 'freeze_renewal', dueAt: NODES[0]!.dueAt, daysLeft, reminder: true },
      { at: new Date().toISOString(), court: '110108' },
    );
  return { pinia: hub.pinia, remind, unfollow };
}

/** The console's 临期 list as SupervisionOverdueList shows it: the tab with its count, each row's type, due date and countdown. */
const DueSoonList = defineComponent({
  setup() {
    const { t } = useI18n();
    const supervision = useSupervisionStore();
    const timeLeft = useTimeLeft();
    const typeName = useNodeTypeName();
    return () =>
      h('section', [
        h('span', { 'data-list': 'due_soon' }, `${t('supervision.list.due_soon')} ${supervision.counts.due_soon.n}`),
        ...supervision.listed.map((row) =>
          h('p', { 'data-node': row.node.id, 'data-pressing': timeLeft.pressing(row.timeLeft, row.node.type) }, [
            `${typeName(row.node.type)} · ${t('supervision.dueOn', { d: chinaDay(row.node.dueAt) })} · ${timeLeft.text(row.timeLeft)}`,
          ]),
        ),
      ]);
  },
});

describe('useTimeLeft', () => {
  beforeEach(() => {
    // Only the clock is faked: the store's reload debounce and the fake socket run on real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-11-24T15:00:00.000Z')); // 2026-11-24 23:00 China time
  });
  afterEach(() => {
    vi.useRealTimers();
    sessionDeps.fetchImpl = undefined;
  });

  it('shows days left and days overdue; a countdown stands out from its type’s last reminder on (D-7, D-1)', async () => {
    const { pinia, unfollow } = await consoleWithCase();
    const html = await render(pinia, 'zh-CN');
    expect(html).toContain('<li data-node="1" data-pressing="false">剩余 8 天</li>');
    expect(html).toContain('<li data-node="2" data-pressing="false">剩余 2 天</li>');
    expect(html).toContain('<li data-node="3" data-pressing="true">超期 1 天</li>');
    expect(await render(pinia, 'en')).toContain('<li data-node="3" data-pressing="true">1 day overdue</li>');
    unfollow();
  });

  it('shows them in English, singular and plural', async () => {
    const { pinia, unfollow } = await consoleWithCase();
    vi.setSystemTime(Date.parse('2026-11-25T04:00:00.000Z')); // 2026-11-25 12:00 China time
    await useCasesStore().load();
    const html = await render(pinia, 'en');
    expect(html).toContain('<li data-node="1" data-pressing="true">7 days left</li>');
    expect(html).toContain('<li data-node="2" data-pressing="true">1 day left</li>');
    expect(html).toContain('<li data-node="3" data-pressing="true">2 days overdue</li>');
    unfollow();
  });

  it('moves a row to the new days left when the hub’s D-7 reminder for it arrives, without a manual reload', async () => {
    const { pinia, remind, unfollow } = await consoleWithCase();
    expect(await render(pinia, 'zh-CN')).toContain('<li data-node="1" data-pressing="false">剩余 8 天</li>');
    // 2026-11-25 00:00 China time: the freeze renewal reaches D-7 and the hub says so.
    vi.setSystemTime(Date.parse('2026-11-24T16:00:00.000Z'));
    remind(7);
    await vi.waitFor(async () => expect(await render(pinia, 'zh-CN')).toContain('<li data-node="1" data-pressing="true">剩余 7 天</li>'));
    expect(await render(pinia, 'en')).toContain('<li data-node="3" data-pressing="true">2 days overdue</li>');
    unfollow();
  });

  it('says due today for a node falling due later the same China day', async () => {
    setActivePinia(createPinia());
    const pinia = createPinia();
    const texts = { 'zh-CN': '', en: '' };
    for (const locale of ['zh-CN', 'en'] as const) {
      const Cell = defineComponent({
        setup() {
          const timeLeft = useTimeLeft();
          return () => h('span', timeLeft.text({ kind: 'left', days: 0 }));
        },
      });
      texts[locale] = await renderToString(
        createSSRApp(Cell)
          .use(pinia)
          .use(createI18n({ legacy: false, locale, messages })),
      );
    }
    expect(texts).toEqual({ 'zh-CN': '<span>今日到期</span>', en: '<span>due today</span>' });
  });

  it('shows the console’s 临期 list: days left soonest first, standing out within each type’s last reminder', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const supervision = useSupervisionStore();
    supervision.nodeTypes = {
      freeze_renewal: { name: '续行冻结', nameEn: 'Freeze renewal', lastWarnDays: 7 },
      funds_payout: { name: '案款发放', nameEn: 'Funds payout', lastWarnDays: 1 },
    };
    // 11-24 23:00 China time: a payout due at 23:30, a payout due 11-26, a renewal due 12-02.
    supervision.dueSoonNodes = [node(4, 'funds_payout', 'due_soon', '2026-11-24T15:30:00.000Z'), NODES[1]!, NODES[0]!];
    supervision.shown = 'due_soon';
    const zh = await renderToString(
      createSSRApp(DueSoonList)
        .use(pinia)
        .use(createI18n({ legacy: false, locale: 'zh-CN', messages })),
    );
    expect(zh).toContain('<span data-list="due_soon">临期 3</span>');
    expect(zh).toContain('<p data-node="4" data-pressing="true">案款发放 · 2026-11-24 到期 · 今日到期</p>');
    expect(zh).toContain('<p data-node="2" data-pressing="false">案款发放 · 2026-11-26 到期 · 剩余 2 天</p>');
    expect(zh).toContain('<p data-node="1" data-pressing="false">续行冻结 · 2026-12-02 到期 · 剩余 8 天</p>');
    expect(zh.indexOf('data-node="4"')).toBeLessThan(zh.indexOf('data-node="1"'));
    const en = await renderToString(
      createSSRApp(DueSoonList)
        .use(pinia)
        .use(createI18n({ legacy: false, locale: 'en', messages })),
    );
    expect(en).toContain('<span data-list="due_soon">Due soon 3</span>');
    expect(en).toContain('<p data-node="4" data-pressing="true">Funds payout · due 2026-11-24 · due today</p>');
    expect(en).toContain('<p data-node="1" data-pressing="false">Freeze renewal · due 2026-12-02 · 8 days left</p>');
  });
});
