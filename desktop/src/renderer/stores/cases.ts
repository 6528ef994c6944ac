/**
 * The case detail on the console (store `cases`): one open case with its flow nodes, deduction
 * periods (扣除期间) and 督办 orders, recording and ending a period; reloaded live on the case's
 * `case.changed`, `node.due_soon`/`node.overdue` (graded reminders included), `supervision.*` events
 * and after a link resync; its nodes' days left are counted again at each reload and China midnight.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { Case, SupervisionOrder } from '@cc/protocol';
import { ApiError } from '../api/client';
import type { CaseOrdersPage, DeductionCreate } from '../api/cases';
import { nodeRows, sortedDeductions } from './cases-model';
import { everyChinaMidnight } from './china-midnight';
import { useLinkStore } from './link';
import { useSessionStore } from './session';

/** Events about the open case within this time cause one reload. */
export const RELOAD_DEBOUNCE_MS = 300;

/** Roles that may record and end deduction periods (the hub allows duty officers and court users; admin too). */
const CASE_WORKERS: ReadonlySet<string> = new Set(['duty_officer', 'court_user', 'admin']);

const NO_ORDERS: CaseOrdersPage = { orders: [], nextCursor: null };

const asApiError = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, { code: 'internal', message: String(e), messageEn: String(e) });

export const useCasesStore = defineStore('cases', () => {
  const session = useSessionStore();
  const link = useLinkStore();
  /** The case number the panel shows (null: closed). */
  const caseNo = ref<string | null>(null);
  const detail = shallowRef<Case | null>(null);
  /** All the case's 督办 orders, asked of the hub by case number page by page (newest first). */
  const orders = shallowRef<SupervisionOrder[]>([]);
  /** Why a later page of the orders could not be loaded: `orders` holds the pages before it only. */
  const ordersError = ref<ApiError | null>(null);
  const loading = ref(false);
  /** Why the case could not be loaded (e.g. not_found for a mistyped number). */
  const loadError = ref<ApiError | null>(null);
  /** Why the last record/end was refused. */
  const actionError = ref<ApiError | null>(null);
  /** A record/end request is running. */
  const busy = ref(false);
  /** The time the nodes' days left are counted at: the last load, or the last China midnight passed. */
  const now = ref(Date.now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts loads: the answers of a load overtaken by a newer one (or a close) are dropped. */
  let generation = 0;

  const nodes = computed(() => nodeRows(detail.value?.nodes ?? [], now.value));
  // Each load (e.g. on a graded reminder's node.due_soon) counts the days left afresh.
  watch(detail, () => (now.value = Date.now()), { flush: 'sync' });
  const deductions = computed(() => sortedDeductions(detail.value?.deductions ?? []));
  const canEdit = computed(() => CASE_WORKERS.has(session.user?.role ?? ''));

  /**
   * The rest of the case's orders after the first page, following `nextCursor` to the last page. An order
   * issued meanwhile comes before the first page (newest first), so none is skipped; its event reloads.
   */
  async function laterOrders(
    no: string,
    first: CaseOrdersPage,
    current: () => boolean,
  ): Promise<{ found: SupervisionOrder[]; error: ApiError | null }> {
    const found = [...first.orders];
    let cursor = first.nextCursor ?? null;
    while (cursor !== null && current()) {
      try {
        const page = await session.api.caseOrdersPage(no, cursor);
        found.push(...page.orders);
        // A hub repeating a cursor would page forever.
        cursor = page.nextCursor === cursor ? null : (page.nextCursor ?? null);
      } catch (e) {
        return { found, error: asApiError(e) };
      }
    }
    return { found, error: null };
  }

  async function load(): Promise<void> {
    const wanted = caseNo.value;
    if (wanted === null) return;
    const mine = ++generation;
    const current = (): boolean => mine === generation;
    loading.value = true;
    try {
      // A hub that cannot filter orders by case refuses the query: the case still shows, without orders.
      const [answer, first] = await Promise.all([
        session.api.caseDetail(wanted),
        session.api.caseOrdersPage(wanted).catch(() => NO_ORDERS),
      ]);
      const { found, error } = await laterOrders(wanted, first, current);
      if (!current()) return;
      detail.value = answer;
      orders.value = found;
      ordersError.value = error;
      loadError.value = null;
    } catch (e) {
      if (!current()) return;
      detail.value = null;
      orders.value = [];
      ordersError.value = null;
      loadError.value = asApiError(e);
    } finally {
      if (current()) loading.value = false;
    }
  }

  async function open(no: string): Promise<void> {
    const trimmed = no.trim();
    if (!trimmed) return;
    if (trimmed !== caseNo.value) {
      detail.value = null;
      orders.value = [];
      ordersError.value = null;
    }
    caseNo.value = trimmed;
    actionError.value = null;
    await load();
  }

  function close(): void {
    generation++;
    caseNo.value = null;
    detail.value = null;
    orders.value = [];
    ordersError.value = null;
    loading.value = false;
    loadError.value = null;
    actionError.value = null;
  }

  async function mutate(run: (no: string) => Promise<unknown>): Promise<boolean> {
    const no = caseNo.value;
    if (no === null || busy.value) return false;
    busy.value = true;
    actionError.value = null;
    try {
      await run(no);
      await load();
      return true;
    } catch (e) {
      actionError.value = asApiError(e);
      return false;
    } finally {
      busy.value = false;
    }
  }

  const recordDeduction = (period: DeductionCreate): Promise<boolean> =>
    mutate((no) => session.api.recordDeduction(no, { ...period, endedOn: period.endedOn || undefined }));
  const endDeduction = (id: number, endedOn: string): Promise<boolean> => mutate((no) => session.api.endDeduction(no, id, endedOn));

  function scheduleLoad(about: string): void {
    if (about !== caseNo.value || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void load();
    }, RELOAD_DEBOUNCE_MS);
  }

  /** Follows the open case live; the returned function stops that and closes the panel. */
  function follow(): () => void {
    // No node event marks a plain day passing: the days left are counted again at each China midnight.
    const stopMidnight = everyChinaMidnight(() => (now.value = Date.now()));
    const offs = [
      link.on('case.changed', (data) => scheduleLoad(data.caseNo)),
      link.on('node.overdue', (data) => scheduleLoad(data.caseNo)),
      link.on('node.due_soon', (data) => scheduleLoad(data.caseNo)),
      link.on('supervision.changed', (data) => scheduleLoad(data.caseNo)),
      link.on('supervision.escalated', (data) => scheduleLoad(data.caseNo)),
      link.onResync(() => void load()),
    ];
    return () => {
      offs.forEach((off) => off());
      if (timer) clearTimeout(timer);
      timer = undefined;
      stopMidnight();
      close();
    };
  }

  return {
    caseNo,
    detail,
    loading,
    loadError,
    actionError,
    busy,
    nodes,
    deductions,
    orders,
    ordersError,
    canEdit,
    open,
    close,
    load,
    recordDeduction,
    endDeduction,
    follow,
  };
});
