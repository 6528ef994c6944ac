/** The hub's case endpoints the console uses: a case with its nodes and deduction periods (扣除期间), recording and ending a period, its 督办 orders. */
import type { Case, DeductionResult, SupervisionList, deductionCreateSchema } from '@cc/protocol';
import type { z } from 'zod';
import type { ApiClient } from './client';

const enc = encodeURIComponent;

/** The hub's largest page of orders: a case with many orders in as few requests as possible. */
const CASE_ORDERS_LIMIT = 500;

export type DeductionCreate = z.input<typeof deductionCreateSchema>;

/** A page of a case's orders; a hub before cursor paging (protocol 1.0) answers without `nextCursor`. */
export type CaseOrdersPage = Omit<SupervisionList, 'nextCursor'> & { nextCursor?: SupervisionList['nextCursor'] };

export function caseEndpoints(client: ApiClient) {
  return {
    /** The case with its flow nodes (`baseDueAt`/`paused` where periods moved them) and deduction periods. */
    caseDetail: (caseNo: string) => client.request<Case>('GET', `api/v1/cases/${enc(caseNo)}`),
    recordDeduction: (caseNo: string, period: DeductionCreate) =>
      client.request<DeductionResult>('POST', `api/v1/cases/${enc(caseNo)}/deductions`, period),
    endDeduction: (caseNo: string, id: number, endedOn: string) =>
      client.request<DeductionResult>('PATCH', `api/v1/cases/${enc(caseNo)}/deductions/${id}`, { endedOn }),
    /**
     * A page of the case's 督办 orders (the hub filters by case, within the caller's court), newest first;
     * `cursor` is the `nextCursor` of the page before.
     */
    caseOrdersPage: (caseNo: string, cursor?: string) =>
      client.request<CaseOrdersPage>(
        'GET',
        `api/v1/supervision?caseNo=${enc(caseNo)}&limit=${CASE_ORDERS_LIMIT}${cursor === undefined ? '' : `&cursor=${enc(cursor)}`}`,
      ),
  };
}
