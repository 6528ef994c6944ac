/**
 * Deduction periods (扣除期间) in the demo: about 1.5 % of open cases carry a 中止执行, 公告 or
 * 评估 period, some ended, some still running, so the console's case detail shows paused nodes
 * and moved due times. Written in one mutation with the cases module's own re-timing (the same
 * code the deduction API runs), not one API call per case: it keeps the demo's load time.
 */
import type { DeductionReason } from '@cc/protocol';
import { catalogOf } from '../catalog/repository.js';
import { retimeCase } from '../cases/deductions.js';
import { DAY_MS, chinaDay } from '../deadlines/calendar.js';
import type { Db } from '../store/database.js';
import { StatsDelta } from '../stats/aggregates.js';
import type { SeededRandom } from './random.js';

const CHINA_OFFSET_MS = 8 * 3_600_000;
const SHARE = 0.015;
const REASONS: readonly (readonly [DeductionReason, number])[] = [
  ['suspension', 5],
  ['public_notice', 2],
  ['audit_valuation', 2],
];
const NOTES: Record<string, readonly string[]> = {
  suspension: ['被执行人进入破产程序，裁定中止执行', '案外人提出执行异议，裁定中止执行', '申请执行人同意暂缓，裁定中止执行'],
  public_notice: ['被执行人下落不明，公告送达执行通知书', '公告送达评估报告'],
  audit_valuation: ['委托评估机构对查封房产进行评估', '对被执行企业进行审计和资产清理'],
};

export interface DemoDeductions {
  cases: number;
  open: number;
  ended: number;
  /** Open nodes whose due time moved. */
  moved: number;
  /** A few case numbers to try in the console (督办 tab → case number). */
  examples: string[];
}

interface OpenCase {
  id: number;
  case_no: string;
  filed_at: number;
  handler: string;
}

/** One period: it starts between filing and today (at most 60 days after filing), ends 3–45 days later or runs on. */
function drawPeriod(r: SeededRandom, c: OpenCase, today: number): { reason: DeductionReason; start: number; end: number | null } {
  const filedDay = chinaDay(c.filed_at);
  const startDay = filedDay + r.int(0, Math.max(0, Math.min(60, today - filedDay)));
  const endDay = startDay + r.int(3, 45);
  const open = r.chance(0.4) || endDay > today;
  const reason = r.weighted(REASONS);
  const at = (day: number): number => day * DAY_MS - CHINA_OFFSET_MS;
  return { reason, start: at(startDay), end: open ? null : at(endDay) };
}

/** Records the periods and re-times the affected cases' open nodes; runs inside the caller's mutation. */
export function recordDemoDeductions(db: Db, r: SeededRandom, now: number): DemoDeductions {
  const today = chinaDay(now);
  const cases = db.prepare('SELECT id, case_no, filed_at, handler FROM cases WHERE closed_at IS NULL ORDER BY id').all() as OpenCase[];
  const insert = db.prepare(
    `INSERT INTO case_deductions (case_id, reason, start_at, end_at, note, recorded_by, recorded_at, ended_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const catalog = catalogOf(db);
  const delta = new StatsDelta();
  const result: DemoDeductions = { cases: 0, open: 0, ended: 0, moved: 0, examples: [] };
  for (const c of cases) {
    if (!r.chance(SHARE)) continue;
    const p = drawPeriod(r, c, today);
    const by = c.handler || '演示数据';
    insert.run(
      c.id,
      p.reason,
      p.start,
      p.end,
      r.pick(NOTES[p.reason] ?? ['']),
      by,
      Math.min(now, p.start + DAY_MS),
      p.end === null ? null : by,
    );
    result.moved += retimeCase(db, c.id, catalog, now, delta);
    result.cases++;
    if (p.end === null) result.open++;
    else result.ended++;
    if (result.examples.length < 5) result.examples.push(c.case_no);
  }
  delta.apply(db);
  return result;
}
