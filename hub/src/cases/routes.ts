/** `/api/v1/cases…` and `/api/v1/nodes…`: import (JSON, CSV), reads, closing a case, completing a node. */
import {
  API_PREFIX,
  ErrorCode,
  ProtocolError,
  caseCloseSchema,
  caseListQuerySchema,
  deductionCreateSchema,
  deductionEndSchema,
  nodeCompleteSchema,
  nodeListQuerySchema,
} from '@cc/protocol';
import type { FastifyRequest } from 'fastify';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, assertCourtAccess, courtScope, principalOf } from '../auth/auth.js';
import { iso } from '../deadlines/calendar.js';
import { closeCase, completeNode } from './case-actions.js';
import { endDeduction, followImports, listDeductions, recordDeduction, withDeductionTiming } from './deductions.js';
import { CASE_COLUMNS, NODE_COLUMNS, csvRecords } from './csv.js';
import { importCasesSliced } from './import-sliced.js';
import { importCasesJson } from './import-json.js';
import { nodeRecords } from './node-csv.js';
import { listCases, listOpenNodes, nodesOfCase, openNodeCounts, toCase } from './read.js';
import { recountDeferredStats } from './stats-recount.js';
import { nodeWriterOf, type CaseRow } from './store.js';

const isCsv = (request: FastifyRequest): boolean => (request.headers['content-type'] ?? '').startsWith('text/csv');

export function registerCaseRoutes(ctx: HubContext): void {
  const { app, db, auth } = ctx;
  const importers = auth.require('duty_officer', 'court_user', 'service');
  const anyone = auth.require();
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  ctx.disposables.add('deduction periods after imports', followImports(ctx));
  // Nodes a bulk import staged before the hub stopped (store.ts, NodeWriter) join the open-node index now.
  const nodes = nodeWriterOf(db);
  let swept = 0;
  while (nodes.hasStaged()) swept += nodes.sweepStaged();
  if (swept > 0) ctx.logger.info({ swept }, 'staged open nodes swept into the open-node index');
  // … and the day and month figures of an import that was cut short are recounted.
  const recountStarted = performance.now();
  const recounted = recountDeferredStats(db);
  if (recounted > 0)
    ctx.logger.warn(
      { cases: recounted, ms: Math.round(performance.now() - recountStarted) },
      'statistics recounted: an import had not written its day figures when the hub stopped',
    );
  ctx.disposables.add('staged open-node sweeper', () => nodes.close());

  const scopedCourt = (request: FastifyRequest, court: string | undefined): string | null => {
    const scope = courtScope(principalOf(request));
    if (scope && court && court !== scope) throw new ProtocolError(ErrorCode.Forbidden, { court });
    return scope ?? court ?? null;
  };
  const findCase = (request: FastifyRequest): CaseRow => {
    const caseNo = (request.params as { caseNo: string }).caseNo;
    const row = db.prepare('SELECT * FROM cases WHERE case_no = ?').get(caseNo) as CaseRow | undefined;
    if (!row) throw notFound('case', caseNo);
    assertCourtAccess(principalOf(request), row.court_code);
    return row;
  };

  // The JSON import body stays bytes here: the import check worker decodes and parses it
  // (import-json.ts), so the hub's thread never parses a 30 MB body. The parser is scoped to this route.
  void app.register(async (scoped) => {
    scoped.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scoped.post(`${API_PREFIX}/cases/import`, { preHandler: importers }, async (request) => {
      if (isCsv(request)) {
        const csv = csvRecords(request.body as string, CASE_COLUMNS, ['caseNo', 'court', 'kind', 'filedAt', 'amountOwed']);
        return importCasesSliced(ctx, actorOf(request), csv.records, csv.lines);
      }
      if (!(request.body instanceof Uint8Array))
        throw new ProtocolError(ErrorCode.BadRequest, { contentType: 'application/json or text/csv expected' });
      return importCasesJson(ctx, actorOf(request), request.body);
    });
  });
  app.post(`${API_PREFIX}/cases/nodes/import`, { preHandler: importers }, async (request) => {
    if (!isCsv(request)) throw new ProtocolError(ErrorCode.BadRequest, { contentType: 'text/csv expected' });
    const csv = csvRecords(request.body as string, NODE_COLUMNS, ['caseNo', 'type', 'startedAt']);
    const { records, lines, rejected } = nodeRecords(db, csv);
    const report = await importCasesSliced(ctx, actorOf(request), records, lines);
    report.received = csv.records.length;
    report.rejected = [...rejected, ...report.rejected].sort((a, b) => a.row - b.row);
    return report;
  });

  app.get(`${API_PREFIX}/cases`, { preHandler: anyone }, async (request) => {
    const q = parse(caseListQuerySchema, request.query);
    return { cases: listCases(db, { ...q, court: scopedCourt(request, q.court) }) };
  });
  app.get(`${API_PREFIX}/cases/:caseNo`, { preHandler: anyone }, async (request) => {
    const row = findCase(request);
    const now = ctx.now();
    const nodes = withDeductionTiming(db, row, nodesOfCase(db, row.id, row.case_no), now);
    return { ...toCase(row), nodes, deductions: listDeductions(db, row, now) };
  });
  const caseWorkers = auth.require('duty_officer', 'court_user');
  app.post(`${API_PREFIX}/cases/:caseNo/deductions`, { preHandler: caseWorkers }, async (request, reply) => {
    const row = findCase(request);
    const result = recordDeduction(ctx, actorOf(request), row, parse(deductionCreateSchema, request.body));
    return reply.code(201).send(result);
  });
  app.patch(`${API_PREFIX}/cases/:caseNo/deductions/:id`, { preHandler: caseWorkers }, async (request) => {
    const row = findCase(request);
    const id = Number((request.params as { id: string }).id);
    if (!Number.isSafeInteger(id) || id < 1) throw notFound('deduction', (request.params as { id: string }).id);
    return endDeduction(ctx, actorOf(request), row, id, parse(deductionEndSchema, request.body).endedOn);
  });
  app.post(`${API_PREFIX}/cases/:caseNo/close`, { preHandler: auth.require('duty_officer', 'court_user') }, async (request) => {
    const row = findCase(request);
    return closeCase(ctx, actorOf(request), row, parse(caseCloseSchema, request.body));
  });
  app.post(
    `${API_PREFIX}/cases/:caseNo/nodes/:nodeId/complete`,
    { preHandler: auth.require('duty_officer', 'court_user') },
    async (request) => {
      const row = findCase(request);
      const nodeId = Number((request.params as { nodeId: string }).nodeId);
      return completeNode(ctx, actorOf(request), row, nodeId, parse(nodeCompleteSchema, request.body ?? {}));
    },
  );

  app.get(`${API_PREFIX}/nodes`, { preHandler: anyone }, async (request) => {
    const q = parse(nodeListQuerySchema, request.query);
    const nodes = listOpenNodes(db, {
      court: scopedCourt(request, q.court),
      state: q.state === 'due_soon' ? 1 : 2,
      limit: q.limit,
      ...(q.type ? { type: q.type } : {}),
      ...(q.afterDue ? { afterDue: Date.parse(q.afterDue), afterId: q.afterId ?? 0 } : {}),
    });
    const last = nodes.at(-1);
    return { nodes, next: last && nodes.length === q.limit ? { afterDue: last.dueAt, afterId: last.id } : null };
  });
  app.get(`${API_PREFIX}/nodes/counts`, { preHandler: anyone }, async (request) => ({
    courts: openNodeCounts(db, scopedCourt(request, undefined)),
    at: iso(ctx.now()),
  }));
}
