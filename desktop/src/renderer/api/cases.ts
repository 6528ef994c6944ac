/** The hub's case endpoints the console uses: a case with its nodes and deduction periods (扣除期间), recording and ending a period. */
import type { Case, DeductionResult, deductionCreateSchema } from '@cc/protocol';
import type { z } from 'zod';
import type { ApiClient } from './client';

const enc = encodeURIComponent;

export type DeductionCreate = z.input<typeof deductionCreateSchema>;

export function caseEndpoints(client: ApiClient) {
  return {
    /** The case with its flow nodes (`baseDueAt`/`paused` where periods moved them) and deduction periods. */
    caseDetail: (caseNo: string) => client.request<Case>('GET', `api/v1/cases/${enc(caseNo)}`),
    recordDeduction: (caseNo: string, period: DeductionCreate) =>
      client.request<DeductionResult>('POST', `api/v1/cases/${enc(caseNo)}/deductions`, period),
    endDeduction: (caseNo: string, id: number, endedOn: string) =>
      client.request<DeductionResult>('PATCH', `api/v1/cases/${enc(caseNo)}/deductions/${id}`, { endedOn }),
  };
}
