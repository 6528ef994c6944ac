// Seeded generator of bench cases: courts, and cases with exactly NODES_PER_CASE flow
// nodes each, filed over the last three years; closed cases have their gate nodes done.
const DAY = 86_400_000;

export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function benchCourts(n) {
  const courts = [{ code: 'BH00', name: '基准高级人民法院', level: 'high', parentCode: null }];
  for (let i = 1; i < n; i++)
    courts.push({ code: `BH${String(i).padStart(2, '0')}`, name: `基准第${i}人民法院`, level: 'basic', parentCode: 'BH00' });
  return courts.map((c, i) => ({
    ...c,
    lat: 30 + i / 10,
    lon: 114 + i / 10,
    address: '',
    contact: '',
    phone: '',
    consultationEndpoint: '',
  }));
}

// [type, start offset from filing in days, chance it is still open when the case is open]
const PLAN = [
  ['handler_assignment', 0, 0.02],
  ['network_inquiry', 0, 0.05],
  ['enforcement_notice', 1, 0.05],
  ['asset_report_order', 1, 0.05],
  ['creditor_leads_notice', 2, 0.1],
  ['asset_investigation', 2, 0.3],
  ['case_disposition', 0, 1],
  ['deposit_freeze_expiry', 10, 1],
  ['valuation_start', 20, 0.3],
  ['funds_payout', 40, 0.2],
];
export const NODES_PER_CASE = PLAN.length;
const day = (ms) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

/** Records `from` … `to - 1` of the dataset (deterministic per index). */
export function benchRecords(from, to, courts, now) {
  const records = [];
  for (let i = from; i < to; i++) {
    const random = rng(i * 7919 + 17);
    const court = courts[1 + Math.floor(random() * (courts.length - 1))].code;
    const filed = now - Math.floor(1 + random() * 1095) * DAY;
    const ageDays = (now - filed) / DAY;
    const closed = random() < Math.min(0.9, ageDays / 400);
    const closedAt = closed ? Math.min(now - DAY, filed + Math.floor(30 + random() * 300) * DAY) : null;
    const owed = Math.round(1000 + random() * 500_000);
    const nodes = [];
    for (const [type, offset, openChance] of PLAN) {
      const started = filed + offset * DAY;
      if (started >= now) continue;
      const open = !closed ? random() < openChance : type === 'deposit_freeze_expiry';
      const doneAt = open ? undefined : day(Math.min(now - 1, started + Math.floor(random() * 20) * DAY));
      nodes.push(doneAt ? { type, startedAt: day(started), doneAt } : { type, startedAt: day(started) });
    }
    const record = {
      caseNo: `(${new Date(filed).getUTCFullYear()})基执${i}号`,
      court,
      kind: random() < 0.85 ? 'first' : 'resumed',
      filedAt: day(filed),
      amountOwed: owed,
      nodes,
    };
    if (closedAt !== null) {
      const terminated = random() < 0.4;
      Object.assign(record, {
        closedAt: day(Math.max(filed, closedAt)),
        closureType: terminated ? 'terminated_current' : 'completed',
        amountRecovered: terminated ? Math.round(owed * random() * 0.2) : owed,
      });
    }
    if (random() < 0.2) record.dishonestCount = 1;
    if (random() < 0.3) record.consumptionBanCount = 1;
    record.inquiryCount = Math.floor(random() * 4);
    records.push(record);
  }
  return records;
}
