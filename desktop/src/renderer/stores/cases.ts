/**
 * The case detail on the console (store `cases`): one open case with its flow nodes, deduction
 * periods (扣除期间) and 督办 orders, recording and ending a period; reloaded live on the case's
 * `case.changed`, `node.due_soon`/`node.overdue`, `supervision.*` events and after a link resync.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Case, SupervisionOrder } from '@cc/protocol';
import { ApiError } from '../api/client';
import type { DeductionCreate } from '../api/cases';
import { nodeRows, sortedDeductions } from './cases-model';
import { useLinkStore } from './link';
import { useSessionStore } from './session';

/** Events about the open case within this time cause one reload. */
export const RELOAD_DEBOUNCE_MS = 300;

/** Roles that may record and end deduction periods (the hub allows duty officers and court users; admin too). */
const CASE_WORKERS: ReadonlySet<string> = new Set(['duty_officer', 'court_user', 'admin']);

const asApiError = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, { code: 'internal', message: String(e), messageEn: String(e) });

export const useCasesStore = defineStore('cases', () => {
  const session = useSessionStore();
  const link = useLinkStore();
  /** The case number the panel shows (null: closed). */
  const caseNo = ref<string | null>(null);
  const detail = shallowRef<Case | null>(null);
  /** The case's 督办 orders, asked of the hub by case number (newest first). */
  const orders = shallowRef<SupervisionOrder[]>([]);
  const loading = ref(false);
  /** Why the case could not be loaded (e.g. not_found for a mistyped number). */
  const loadError = ref<ApiError | null>(null);
  /** Why the last record/end was refused. */
  const actionError = ref<ApiError | null>(null);
  /** A record/end request is running. */
  const busy = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const nodes = computed(() => nodeRows(detail.value?.nodes ?? []));
  const deductions = computed(() => sortedDeductions(detail.value?.deductions ?? []));
  const canEdit = computed(() => CASE_WORKERS.has(session.user?.role ?? ''));

  async function load(): Promise<void> {
    const wanted = caseNo.value;
    if (wanted === null) return;
    loading.value = true;
    try {
      // A hub that cannot filter orders by case refuses the query: the case still shows, without orders.
      const [answer, found] = await Promise.all([session.api.caseDetail(wanted), session.api.caseOrders(wanted).catch(() => [])]);
      if (caseNo.value !== wanted) return;
      detail.value = answer;
      orders.value = found;
      loadError.value = null;
    } catch (e) {
      if (caseNo.value !== wanted) return;
      detail.value = null;
      orders.value = [];
      loadError.value = asApiError(e);
    } finally {
      if (caseNo.value === wanted) loading.value = false;
    }
  }

  async function open(no: string): Promise<void> {
    const trimmed = no.trim();
    if (!trimmed) return;
    if (trimmed !== caseNo.value) {
      detail.value = null;
      orders.value = [];
    }
    caseNo.value = trimmed;
    actionError.value = null;
    await load();
  }

  function close(): void {
    caseNo.value = null;
    detail.value = null;
    orders.value = [];
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
    canEdit,
    open,
    close,
    load,
    recordDeduction,
    endDeduction,
    follow,
  };
});
