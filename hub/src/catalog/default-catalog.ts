/**
 * The default node catalog shipped with the hub, drawn from ../shared/domain/flow-nodes.md
 * (row numbers `#n` refer to its node table). Documented in docs/node-catalog.md.
 * Categories are a proposal (no public SPC classification was found); rules marked
 * `unconfirmed` must be verified before production use: that is why the catalog is editable.
 */
import type { ClosureType, DeductionReason, NodeType } from '@cc/protocol';

type Rule = NodeType['rule'];
/** A shipped type always has its English name. */
type DefaultNodeType = NodeType & { nameEn: string };
const days = (amount: number, warnDays: number, anchor: string): Rule => ({ anchor, amount, unit: 'day', warnDays, repeat: null });
const months = (amount: number, warnDays: number, anchor: string): Rule => ({ anchor, amount, unit: 'month', warnDays, repeat: null });
/** Graded reminders after the first 临期 warning, where flow-nodes.md gives several thresholds. */
const remind = (rule: Rule, ...remindDays: number[]): Rule => ({ ...rule, remindDays });

/** Property still in disposal blocks 终本; unpaid funds block 执行完毕 and 终本 (flow-nodes.md §3.3). */
const DISPOSAL: ClosureType[] = ['terminated_current'];
const FUNDS: ClosureType[] = ['completed', 'terminated_current'];

const entry = (
  code: string,
  name: string,
  nameEn: string,
  category: NodeType['category'],
  rule: Rule,
  source: string,
  confidence: NodeType['confidence'],
  blocksClosure: ClosureType[] = [],
): DefaultNodeType => ({ code, name, nameEn, category, rule, blocksClosure, source, confidence, active: true });

/**
 * Deduction periods (扣除期间) per node type. The 6-month 执行期限 stops for every period of
 * 法释〔2000〕29号 第9条 ✅ (and 执行工作规定 第63条 ✅ for 中止); the simple-case limit is a case
 * limit too. Enforcement steps the court takes stop while the whole case is suspended or
 * stayed (a design default ❓; flow-nodes.md #21 ✅ deducts 暂缓/中止 for the appraisal report).
 * Fixed terms (freeze/seal expiry), party-driven and post-closure nodes never stop.
 */
const CASE_LIMIT: DeductionReason[] = [
  'suspension',
  'stay_settlement',
  'stay_upper_court',
  'public_notice',
  'appraisal',
  'audit_valuation',
  'auction',
];
const CASE_STOPPED: DeductionReason[] = ['suspension', 'stay_settlement', 'stay_upper_court'];
const deductions: Record<string, DeductionReason[]> = {
  case_disposition: CASE_LIMIT,
  simple_case_completion: CASE_LIMIT,
  network_inquiry: CASE_STOPPED,
  enforcement_notice: CASE_STOPPED,
  asset_report_order: CASE_STOPPED,
  creditor_leads_notice: CASE_STOPPED,
  lead_verification: CASE_STOPPED,
  asset_investigation: CASE_STOPPED,
  valuation_start: CASE_STOPPED,
  sale_start: CASE_STOPPED,
  reauction: CASE_STOPPED,
  sale_ruling_service: CASE_STOPPED,
  property_handover: CASE_STOPPED,
};
const withDeductions = (t: DefaultNodeType): DefaultNodeType => ({ ...t, rule: { ...t.rule, deductedBy: deductions[t.code] ?? [] } });

const entries: DefaultNodeType[] = [
  entry(
    'filing_review',
    '执行立案审查',
    'Review of enforcement filing',
    'supervised',
    remind(days(7, 3, 'application_received'), 1),
    '执行工作规定 第16条; 审限规定 第6条 (#1)',
    'confirmed',
  ),
  entry(
    'handler_assignment',
    '确定承办人',
    'Assignment of the case handler',
    'supervised',
    days(7, 2, 'case_filed'),
    '期限规定 第2条 (#2)',
    'confirmed',
  ),
  entry(
    'network_inquiry',
    '网络查控首次发起（立案即查）',
    'Network asset inquiry on filing',
    'supervised',
    days(3, 1, 'case_filed'),
    '财产调查规定 第1条; day count from local practice 利川法院 (#9)',
    'unconfirmed',
  ),
  entry(
    'enforcement_notice',
    '发出执行通知书',
    'Issuance of enforcement notice',
    'supervised',
    days(10, 3, 'application_received'),
    '民诉法解释 第480条 (10-day outer limit); 期限规定 第4条 3-day internal target (#3)',
    'confirmed',
  ),
  entry(
    'asset_report_order',
    '发出报告财产令',
    'Issuance of order to report property',
    'gate',
    days(10, 3, 'application_received'),
    '财产调查规定 第3条: with the enforcement notice (#4)',
    'confirmed',
  ),
  entry(
    'creditor_leads_notice',
    '通知申请执行人提供财产线索',
    'Notice to applicant to provide property leads',
    'reminder',
    days(3, 1, 'materials_received'),
    '期限规定 第5条 (#6)',
    'confirmed',
  ),
  entry(
    'lead_verification',
    '核查财产线索',
    'Verification of property leads',
    'supervised',
    days(7, 3, 'leads_submitted'),
    '财产调查规定 第2条 (7 days; urgent 3) (#7)',
    'confirmed',
  ),
  entry(
    'asset_investigation',
    '完成财产调查',
    'Completion of property investigation',
    'supervised',
    months(1, 7, 'case_filed'),
    '期限规定 第7条 (content via quote; article no. secondary) (#10)',
    'secondary',
  ),
  entry(
    'preservation_supplement',
    '保全材料补正',
    'Supplementation of preservation materials',
    'supervised',
    days(3, 1, 'supplement_requested'),
    'seed of issue 3 ("保全材料3日内补正"); no public source checked',
    'unconfirmed',
  ),
  entry(
    'deposit_freeze_expiry',
    '冻结存款到期（续冻）',
    'Expiry of deposit freeze (renewal)',
    'supervised',
    remind(months(12, 30, 'freeze_effective'), 15, 7),
    '民诉法解释 第485条: ≤1 year per term (#15)',
    'confirmed',
  ),
  entry(
    'movable_seal_expiry',
    '查封扣押动产到期（续封）',
    'Expiry of seizure of movables (renewal)',
    'supervised',
    remind(months(24, 30, 'seal_effective'), 15, 7),
    '民诉法解释 第485条: ≤2 years per term (#16)',
    'confirmed',
  ),
  entry(
    'realty_seal_expiry',
    '查封不动产到期（续封）',
    'Expiry of seal on real property (renewal)',
    'supervised',
    remind(months(36, 30, 'seal_effective'), 15, 7),
    '民诉法解释 第485条: ≤3 years per term (#17)',
    'confirmed',
  ),
  entry(
    'valuation_start',
    '启动确定财产处置参考价',
    'Initiation of reference price determination for disposal',
    'supervised',
    remind(days(30, 10, 'property_attached'), 5),
    '参考价规定 第1条 (#19)',
    'confirmed',
    DISPOSAL,
  ),
  entry(
    'sale_start',
    '启动变价程序',
    'Initiation of property realisation',
    'supervised',
    days(10, 3, 'reference_price_fixed'),
    '参考价规定 第30条 (#23)',
    'confirmed',
    DISPOSAL,
  ),
  entry(
    'reauction',
    '流拍后再次拍卖',
    'Re-auction after failed auction',
    'supervised',
    days(30, 7, 'auction_failed'),
    '网拍规定 第26条 (#25)',
    'confirmed',
    DISPOSAL,
  ),
  entry(
    'sale_ruling_service',
    '成交/抵债裁定送达',
    'Service of ruling on sale or satisfaction in kind',
    'supervised',
    days(10, 3, 'price_paid'),
    '拍卖变卖规定 第20条 (#28)',
    'confirmed',
    DISPOSAL,
  ),
  entry(
    'property_handover',
    '移交拍卖财产',
    'Handover of auctioned property',
    'supervised',
    days(15, 5, 'ruling_served'),
    '拍卖变卖规定 第27条 (#29)',
    'confirmed',
    DISPOSAL,
  ),
  entry(
    'funds_claim',
    '案款认领',
    'Claiming of case funds',
    'reminder',
    days(3, 1, 'funds_arrived'),
    'local rule 嘉鱼法院 第6条; no SPC figure found (#33)',
    'unconfirmed',
    FUNDS,
  ),
  entry(
    'funds_payout',
    '案款发放',
    'Payout of case funds',
    'supervised',
    remind(days(30, 10, 'funds_arrived'), 5, 1),
    '款物规定 法发〔2017〕6号 via local rules; SPC article no. unconfirmed (#34)',
    'secondary',
    FUNDS,
  ),
  entry(
    'objection_docket',
    '执行异议立案',
    'Docketing of enforcement objection',
    'supervised',
    days(3, 1, 'objection_received'),
    '异议复议规定 第2条 (#36)',
    'confirmed',
  ),
  entry(
    'objection_ruling',
    '执行异议审查裁定',
    'Ruling on enforcement objection',
    'supervised',
    remind(days(15, 5, 'objection_received'), 2),
    '民诉法 第236、238条; 执行程序解释 第5条 (#37)',
    'confirmed',
  ),
  entry(
    'simple_case_completion',
    '简易案件办结',
    'Completion of simple case',
    'supervised',
    months(1, 7, 'case_filed'),
    'seed of issue 3 ("简易案件1个月内办结"); no public source checked',
    'unconfirmed',
  ),
  entry(
    'case_disposition',
    '执行期限（6个月）',
    'Enforcement time limit (6 months)',
    'supervised',
    remind(months(6, 30, 'case_filed'), 15, 7),
    '期限规定 第1条; 执行工作规定 第63条; deductions 法释〔2000〕29号 第9条 (#40)',
    'confirmed',
  ),
  entry(
    'closing_info_check',
    '结案信息核查',
    'Verification of case closing information',
    'supervised',
    days(2, 1, 'case_closed'),
    'seed of issue 3 ("结案信息2日内核查"); no public source checked',
    'unconfirmed',
  ),
  entry(
    'terminated_recheck',
    '终本后定期网络查控',
    'Periodic network inquiry after terminated procedure',
    'supervised',
    { ...months(6, 15, 'terminated_current_ruling'), repeat: { everyMonths: 6, times: 10 } },
    '终本规定 第9条第2款: every 6 months for 5 years (#47)',
    'confirmed',
  ),
  entry(
    'dishonest_removal',
    '失信名单删除',
    'Removal from the list of dishonest debtors',
    'supervised',
    { anchor: 'removal_ground', amount: 3, unit: 'working_day', warnDays: 1, repeat: null },
    '失信规定 第10条: 3 working days (#55)',
    'confirmed',
  ),
  entry(
    'delegated_item',
    '执行事项委托办理',
    'Handling of delegated enforcement matter',
    'supervised',
    days(30, 7, 'delegation_received'),
    '法发〔2017〕27号 limit not found; 1993 rule 30 days as fallback (#63)',
    'unconfirmed',
  ),
];

export const defaultCatalog: DefaultNodeType[] = entries.map(withDeductions);
