/**
 * The 超期 and 临期 lists and 督办 on the console (store `supervision`): overdue and due-soon nodes, open
 * orders, issuing an order; live on node and supervision events, their day counts moving on at China midnight.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { FlowNode, SupervisionOrder } from '@cc/protocol';
import { ApiError } from '../api/client';
import type { SupervisionCreate } from '../api/hub';
import { everyChinaMidnight } from './china-midnight';
import { useLinkStore } from './link';
import { useSessionStore } from './session';
import { lastWarnDays } from './deadline-model';
import { dueSoonRows, listedOverdue, nodeTypeName, overdueRows, type NodeTypeNames } from './supervision-model';

const REFRESH_DEBOUNCE_MS = 1000;
/** The console lists the most overdue (and the soonest due) nodes only; the wall's figures give the totals. */
const LIST_LIMIT = 100;

/** Which list the console shows: 超期 or 临期. */
export type NodeList = 'overdue' | 'due_soon';

const SUPERVISION_ISSUERS: ReadonlySet<string> = new Set(['duty_officer', 'leader', 'admin']);

export const useSupervisionStore = defineStore('supervision', () => {
  const session = useSessionStore();
  const link = useLinkStore();
  const nodes = ref<FlowNode[]>([]);
  /** 临期 nodes, soonest due first. */
  const dueSoonNodes = ref<FlowNode[]>([]);
  const orders = ref<SupervisionOrder[]>([]);
  /** The catalog's names and last warning thresholds by node type code (loaded once; again when the catalog changes). */
  const nodeTypes = ref<Record<string, NodeTypeNames>>({});
  const error = ref<ApiError | null>(null);
  const issuing = ref<number | null>(null);
  /** The list the console shows. */
  const shown = ref<NodeList>('overdue');
  /** The time the day counts are taken at: the last load, or the last China midnight passed. */
  const now = ref(Date.now());
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Whether this user may issue 督办: the hub lets the centre do it (duty officers, leaders, admins). */
  const canIssue = computed(() => SUPERVISION_ISSUERS.has(session.user?.role ?? ''));
  const rows = computed(() => overdueRows(nodes.value, orders.value, now.value));
  const dueSoon = computed(() => dueSoonRows(dueSoonNodes.value, orders.value, now.value));
  /** The rows of the list shown. */
  const listed = computed(() => (shown.value === 'overdue' ? listedOverdue(rows.value) : dueSoon.value));
  /** The list was cut at its limit: more nodes are overdue than shown. */
  const truncated = computed(() => nodes.value.length >= LIST_LIMIT);
  /** Each list's length as loaded, and whether it was cut at its limit. */
  const counts = computed(() => ({
    overdue: { n: nodes.value.length, truncated: truncated.value },
    due_soon: { n: dueSoonNodes.value.length, truncated: dueSoonNodes.value.length >= LIST_LIMIT },
  }));

  /** Counts loads: the answers of a load overtaken by a newer one (or an unfollow) are older than it and dropped. */
  let generation = 0;
  /** Per load in flight: the orders this console issued meanwhile (newer than its answer). */
  const issuedDuringLoad = new Set<SupervisionOrder[]>();

  async function load(): Promise<void> {
    const mine = ++generation;
    const issued: SupervisionOrder[] = [];
    issuedDuringLoad.add(issued);
    try {
      const [n, soon, o] = await Promise.all([
        session.api.overdueNodes(LIST_LIMIT),
        // A hub that cannot list 临期 nodes leaves that list as it was; the 超期 list still loads.
        session.api.dueSoonNodes(LIST_LIMIT).catch(() => dueSoonNodes.value),
        session.api.supervisionOrders(),
      ]);
      if (mine !== generation) return;
      nodes.value = n;
      dueSoonNodes.value = soon;
      // An order issued while the list was on its way may not be in it yet: it stays as issued.
      orders.value = [...o, ...issued.filter((i) => !o.some((l) => l.id === i.id))];
      now.value = Date.now();
      if (Object.keys(nodeTypes.value).length === 0) await loadNodeTypes();
    } catch {
      // Older hub or no cases module: the list stays empty.
    } finally {
      issuedDuringLoad.delete(issued);
    }
  }

  async function loadNodeTypes(): Promise<void> {
    nodeTypes.value = Object.fromEntries(
      (await session.api.nodeTypes()).map((t) => [t.code, { name: t.name, nameEn: t.nameEn, lastWarnDays: lastWarnDays(t.rule) }]),
    );
  }

  /** A node type's name in the UI language (`locale`: the i18n locale). */
  const typeName = (code: string, locale: string): string => nodeTypeName(nodeTypes.value[code], code, locale);

  function scheduleLoad(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void load();
    }, REFRESH_DEBOUNCE_MS);
  }

  async function issue(nodeId: number, order: SupervisionCreate): Promise<boolean> {
    error.value = null;
    issuing.value = nodeId;
    try {
      const created = await session.api.issueSupervision(order);
      orders.value = [...orders.value.filter((o) => o.id !== created.id), created];
      issuedDuringLoad.forEach((issued) => issued.push(created));
      return true;
    } catch (e) {
      error.value = e instanceof ApiError ? e : null;
      return false;
    } finally {
      issuing.value = null;
    }
  }

  function follow(): () => void {
    // No node event marks a plain day passing: both lists count their days again at each China midnight.
    const stopMidnight = everyChinaMidnight(() => (now.value = Date.now()));
    const offs = [
      link.on('node.overdue', scheduleLoad),
      link.on('node.due_soon', scheduleLoad),
      link.on('case.changed', scheduleLoad),
      link.on('cases.imported', scheduleLoad),
      link.on('supervision.changed', scheduleLoad),
      link.on('supervision.escalated', scheduleLoad),
      link.on('catalog.changed', () => void loadNodeTypes().catch(() => undefined)),
      link.onResync(() => void load()),
    ];
    return () => {
      offs.forEach((off) => off());
      if (timer) clearTimeout(timer);
      timer = undefined;
      stopMidnight();
      generation++;
      nodes.value = [];
      dueSoonNodes.value = [];
      orders.value = [];
      error.value = null;
    };
  }

  return {
    nodes,
    dueSoonNodes,
    orders,
    nodeTypes,
    typeName,
    error,
    issuing,
    shown,
    rows,
    listed,
    truncated,
    counts,
    load,
    issue,
    follow,
    canIssue,
  };
});
