/**
 * The duty console in real Chromium against a real hub (SQLite in a temp dir): sign-in, the
 * live link, an alarm raised through the API appearing without reload, acknowledging it and
 * writing a note from the UI, the link surviving a hub restart, a 401 returning to sign-in,
 * and the wall's counters. Any request to a non-local host fails the test.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { health, startNode, testEnv, waitFor, type Running, type TestEnv } from './support/processes.js';
import { hubApi } from './support/hub-api.js';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const ADMIN_PASSWORD = 'admin-pass-123';
const OFFICER = { username: 'duty1', password: 'duty-pass-123', name: '王值班' };

let env: TestEnv;
let hub: Running | undefined;
let browser: Browser;
const shots = mkdtempSync(join(tmpdir(), 'cc-desktop-e2e-'));
const external: string[] = [];
const pageErrors: string[] = [];

const { call, login } = hubApi(() => env.hubUrl);

async function startHub(): Promise<void> {
  const started = startNode('hub/dist/main.js', [], env.env);
  hub = started;
  try {
    await waitFor('hub healthy', () => health(env.hubUrl), 60_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}; hub output:\n${started.output().slice(-2000)}`, { cause: error });
  }
}

async function stopHub(): Promise<void> {
  if (!hub || hub.child.exitCode !== null) return;
  hub.child.kill('SIGTERM');
  await hub.exited;
}

/** Two courts, a duty officer, three field units (two located). Returns the officer's API token. */
async function seed(): Promise<string> {
  const admin = await login('admin', ADMIN_PASSWORD);
  const courts = [
    { code: '110000', name: '北京市高级人民法院', level: 'high', parentCode: null, lat: 39.87364, lon: 116.29897 },
    { code: '110108', name: '北京市海淀区人民法院', level: 'basic', parentCode: '110000', lat: 39.9599, lon: 116.2981 },
  ];
  for (const court of courts) expect((await call('POST', '/api/v1/courts', court, admin)).status).toBe(201);
  const person = { ...OFFICER, role: 'duty_officer', court: null };
  expect((await call('POST', '/api/v1/people', person, admin)).status).toBe(201);
  const officer = await login(OFFICER.username, OFFICER.password);
  const units = [
    { name: '海淀一组', kind: 'team', court: '110108', at: [39.965, 116.31] },
    { name: '高院巡逻车', kind: 'vehicle', court: '110000', at: [39.88, 116.3] },
    { name: '单兵07', kind: 'individual', court: '110108', at: null },
  ] as const;
  for (const u of units) {
    const created = await call('POST', '/api/v1/units', { name: u.name, kind: u.kind, court: u.court }, officer);
    expect(created.status).toBe(201);
    if (u.at) {
      const moved = await call('POST', `/api/v1/units/${created.body.id}/position`, { lat: u.at[0], lon: u.at[1] }, officer);
      expect(moved.status).toBe(200);
    }
  }
  return officer;
}

async function openSignedIn(hash: string, user: { username: string; password: string } = OFFICER): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol.startsWith('http') || url.protocol.startsWith('ws')) {
      if (!LOCAL_HOSTS.has(url.hostname)) external.push(request.url());
    }
  });
  // Counts the alarm tone's oscillators (WebAudio makes no sound headless, but the calls are real).
  await page.addInitScript(() => {
    const w = window as unknown as { __tones: number };
    w.__tones = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (this: OscillatorNode, ...args: Parameters<OscillatorNode['start']>) {
      w.__tones += 1;
      return start.apply(this, args);
    };
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // Failed connections while the hub is down are expected; any other console error is a bug.
  page.on('console', (message) => {
    if (message.type() === 'error' && !/WebSocket connection|Failed to load resource|net::ERR/.test(message.text())) {
      pageErrors.push(`${message.text()} @ ${JSON.stringify(message.location())} ${JSON.stringify(message.args().length)}`);
    }
  });
  await page.goto(`${env.hubUrl}/${hash}`);
  await page.getByRole('heading', { name: '执行指挥中心' }).waitFor();
  await page.locator('input[name="username"]').fill(user.username);
  await page.locator('input[name="password"]').fill(user.password);
  await page.getByRole('button', { name: '登录' }).click();
  return page;
}

beforeAll(async () => {
  env = await testEnv({ CC_HUB_ADMIN_PASSWORD: ADMIN_PASSWORD, CC_HUB_DEMO: 'off' });
  await startHub();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stopHub();
  console.log(`desktop e2e screenshots in ${shots}`);
});

describe('desktop console', () => {
  let officerToken: string;
  let page: Page;

  it('refuses a wrong password with a message and stays on the sign-in screen', async () => {
    officerToken = await seed();
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(`${env.hubUrl}/#/console`);
    await page.locator('input[name="username"]').fill(OFFICER.username);
    await page.locator('input[name="password"]').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('登录失败');
    expect(await page.locator('[data-view="sign-in"]').count()).toBe(1);
    await page.close();
  });

  it('signs in, goes live, and shows the courts and located units on the map', async () => {
    page = await openSignedIn('#/console');
    await page.locator('[data-view="console"]').waitFor();
    await page.locator('[data-link-state="online"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-officer]').innerText()).toContain(OFFICER.name);
    const token = await page.evaluate(() => sessionStorage.getItem('cc.session.token'));
    expect(token).toMatch(/.+/);
    // A reload keeps the session (sessionStorage) and goes live again without signing in.
    await page.reload();
    await page.locator('[data-view="console"] [data-link-state="online"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-map][data-courts="2"][data-units="2"]').waitFor();
    await page.locator('[data-map-ready="true"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-active-count]').innerText()).toBe('0');

    // The wall opened from the console shares its session: no second sign-in.
    const [wall] = await Promise.all([page.waitForEvent('popup'), page.locator('[data-open-wall]').click()]);
    await wall.locator('[data-view="wall"][data-display="1"] [data-link-state="online"]').waitFor({ timeout: 15_000 });
    await wall.close();
  });

  it('shows an alarm raised through the API live, pops it up, and acknowledges it from the UI', async () => {
    const raised = await call(
      'POST',
      '/api/v1/alarms',
      { kind: 'sos', priority: 1, description: '单兵紧急求助：海淀区中关村', court: '110108', lat: 39.9612, lon: 116.3102 },
      officerToken,
    );
    expect(raised.status).toBe(201);
    const incidentId = raised.body.incidentId as string;
    const card = page.locator(`[data-panel="incidents"] [data-incident="${incidentId}"]`);
    await card.waitFor({ timeout: 10_000 });
    expect(await card.innerText()).toContain('单兵紧急求助');
    await page.locator(`[data-popup][data-incident="${incidentId}"]`).waitFor();
    // The ring: three beeps.
    await expect.poll(() => page.evaluate(() => (window as unknown as { __tones: number }).__tones)).toBe(3);
    expect(await page.locator('[data-active-count]').innerText()).toBe('1');
    await page.locator('[data-map][data-alarms="1"]').waitFor();

    await page.locator('[data-popup-view]').click();
    const detail = page.locator('[data-panel="incident"]');
    await detail.locator(`header[data-incident="${incidentId}"]`).waitFor();
    await detail.locator('[data-nearest-courts]').waitFor();
    expect(await detail.locator('[data-nearest-courts]').innerText()).toContain('海淀');
    expect(await detail.locator('[data-nearest-units]').innerText()).toContain('海淀一组');

    await detail.locator('[data-action="acknowledge"]').click();
    await detail.locator('[data-timeline] li[data-kind="acknowledged"]').waitFor();
    expect(await detail.locator('[data-timeline] li[data-kind="acknowledged"]').innerText()).toContain(OFFICER.name);
    await detail.locator('header[data-status="acknowledged"]').waitFor();
    expect(await page.locator('[data-popup]').count()).toBe(0);

    await detail.locator('[data-action="note"]').click();
    await detail.locator('textarea[name="text"]').fill('已联系海淀一组前往现场');
    await detail.getByRole('button', { name: '提交' }).click();
    await detail.locator('[data-timeline] li[data-kind="note"]').waitFor();

    // Dispatch the nearest unit: it turns busy (the wall counts it below).
    await detail.locator('[data-action="dispatch"]').click();
    await detail.locator('[data-compose="dispatch"] label', { hasText: '海淀一组' }).locator('input').check();
    await detail.getByRole('button', { name: '提交' }).click();
    await detail.locator('[data-timeline] li[data-kind="dispatched"]').waitFor();
    await page.locator('[data-map][data-busy="1"]').waitFor({ timeout: 10_000 });
    await detail.locator('[data-nearest-units] li', { hasText: '海淀一组' }).locator('[data-unit-status="busy"]').waitFor();

    // The hub holds the same trace.
    const stored = await call('GET', `/api/v1/incidents/${incidentId}`, undefined, officerToken);
    expect(stored.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(['raised', 'acknowledged', 'note', 'dispatched']);
    expect(stored.body.timeline[1].actorName).toBe(OFFICER.name);
    await page.screenshot({ path: join(shots, 'console.png') });
  });

  it('shows the link reconnecting while the hub is down and catches up after it restarts', async () => {
    await stopHub();
    await page.locator('[data-link-state="reconnecting"], [data-link-state="offline"]').first().waitFor({ timeout: 15_000 });
    await startHub();
    await page.locator('[data-link-state="online"]').waitFor({ timeout: 30_000 });
    const raised = await call(
      'POST',
      '/api/v1/alarms',
      { kind: 'device_fault', priority: 3, description: '执法记录仪离线', court: '110000' },
      officerToken,
    );
    expect(raised.status).toBe(201);
    await page.locator(`[data-panel="incidents"] [data-incident="${raised.body.incidentId}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-active-count]').innerText()).toBe('2');
  });

  it('lists an overdue node live and issues a 督办 order on it from the console', async () => {
    // Cases: one open with an overdue node, one closed today with everything recovered.
    const day = (offsetDays: number): string => new Date(Date.now() + offsetDays * 86_400_000).toISOString();
    const imported = await call(
      'POST',
      '/api/v1/cases/import',
      {
        records: [
          {
            caseNo: '(2026)京0108执1号',
            court: '110108',
            kind: 'first',
            filedAt: day(-40),
            amountOwed: 100_000,
            nodes: [{ type: 'handler_assignment', startedAt: day(-40) }],
          },
          {
            caseNo: '(2026)京0108执2号',
            court: '110108',
            kind: 'first',
            filedAt: day(-40),
            amountOwed: 50_000,
            amountRecovered: 50_000,
            closedAt: day(0),
            closureType: 'completed',
          },
        ],
      },
      officerToken,
    );
    expect(imported.body.rejected).toEqual([]);
    await page.locator('[data-tab="overdue"]').click();
    const row = page.locator('[data-panel="overdue"] li[data-case="(2026)京0108执1号"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toContain('确定承办人');
    expect(await row.innerText()).toContain('北京市海淀区人民法院');
    await row.locator('[data-issue]').click();
    expect(await row.locator('textarea[name="content"]').inputValue()).toContain('确定承办人');
    await row.getByRole('button', { name: '发出督办' }).click();
    await row.locator('[data-supervised][data-state="issued"]').waitFor();
    const orders = await call('GET', '/api/v1/supervision', undefined, officerToken);
    expect(orders.body.orders).toHaveLength(1);
    expect(orders.body.orders[0]).toMatchObject({
      caseNo: '(2026)京0108执1号',
      court: '110108',
      state: 'issued',
      issuer: { name: OFFICER.name },
    });
    await page.locator('[data-tab="incidents"]').click();
  });

  it('returns to the sign-in screen when the hub ends the session (401)', async () => {
    const token = await page.evaluate(() => sessionStorage.getItem('cc.session.token'));
    expect((await call('POST', '/api/v1/auth/logout', {}, token ?? '')).status).toBe(200);
    await page.locator('[data-panel="incidents"] [data-status="open"]').first().click();
    await page.locator('[data-view="sign-in"] [data-expired]').waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => sessionStorage.getItem('cc.session.token'))).toBeNull();
    await page.close();
  });

  it('shows the wall with live counters', async () => {
    const wall = await openSignedIn('#/wall?display=2');
    await wall.locator('[data-view="wall"][data-display="2"]').waitFor();
    await wall.locator('[data-link-state="online"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => wall.locator('[data-counter="incidents"] .value').innerText()).toBe('2');
    await expect.poll(() => wall.locator('[data-counter="units-online"] .value').innerText()).toBe('3');
    expect(await wall.locator('[data-counter="units-busy"] .value').innerText()).toBe('1');
    const raised = await call(
      'POST',
      '/api/v1/alarms',
      { kind: 'sos', priority: 1, description: '高院门前紧急求助', court: '110000' },
      officerToken,
    );
    expect(raised.status).toBe(201);
    await expect.poll(() => wall.locator('[data-counter="incidents"] .value').innerText(), { timeout: 10_000 }).toBe('3');
    await expect.poll(() => wall.locator('[data-latest]').innerText()).toContain('高院门前紧急求助');

    const cases = wall.locator('[data-wall-cases]');
    await expect.poll(() => cases.locator('[data-figure="overdue"] .v').innerText(), { timeout: 15_000 }).toBe('1');
    expect(await cases.locator('[data-figure="closed"] .v').innerText()).toBe('1');
    expect(await cases.locator('[data-figure="close-rate"] .v').innerText()).toBe('50.0%');
    expect(await cases.locator('[data-figure="recovery-rate"] .v').innerText()).toBe('100.0%');
    expect(await cases.locator('[data-overdue-ranking] li[data-court="110108"]').innerText()).toContain('海淀');
    expect(await cases.locator('[data-figure="supervision"] .v').innerText()).toBe('1');

    await wall.locator('[data-map-ready="true"]').waitFor({ timeout: 30_000 });
    await wall.locator('[data-map][data-courts="2"][data-units="2"][data-alarms="3"]').waitFor();
    await wall.waitForTimeout(1000);
    await wall.screenshot({ path: join(shots, 'wall.png') });
    await wall.close();
    expect(external).toEqual([]);
    expect(pageErrors.join('\n')).toBe('');
  });

  it('opens a case from the overdue list, records a 中止执行 period that stops the overdue node, refuses a bad end date, ends it', async () => {
    const caseNo = '(2026)京0108执3号';
    const filed = new Date(Date.now() - 10 * 86_400_000);
    const filedDay = new Date(filed.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    const imported = await call(
      'POST',
      '/api/v1/cases/import',
      {
        records: [
          {
            caseNo,
            court: '110108',
            kind: 'first',
            filedAt: filed.toISOString(),
            amountOwed: 80_000,
            handler: '张法官',
            nodes: [{ type: 'network_inquiry', startedAt: filed.toISOString() }],
          },
        ],
      },
      officerToken,
    );
    expect(imported.body.rejected).toEqual([]);
    const page = await openSignedIn('#/console');
    await page.locator('[data-link-state="online"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-tab="overdue"]').click();
    const row = page.locator(`[data-panel="overdue"] li[data-case="${caseNo}"]`);
    await row.waitFor({ timeout: 10_000 });
    // A mistyped number in the search box: the hub's answer, no panel content.
    await page.locator('[data-case-search] input[name="caseNo"]').fill('(2026)京0108执404号');
    await page.locator('[data-case-search] button[type="submit"]').click();
    await page.locator('[data-panel="case"] [data-case-load-error]').waitFor();
    expect(await page.locator('[data-panel="case"] [data-case-load-error]').innerText()).toContain('对象不存在');
    expect(await page.locator('[data-panel="case"] [data-case-facts]').count()).toBe(0);
    await page.locator('[data-close-case]').click();
    await row.locator('[data-open-case]').click();

    const panel = page.locator(`[data-panel="case"][data-case="${caseNo}"]`);
    await panel.locator('[data-case-facts]').waitFor();
    expect(await panel.locator('[data-fact="court"]').innerText()).toBe('北京市海淀区人民法院');
    expect(await panel.locator('[data-fact="handler"]').innerText()).toBe('张法官');
    const nodeRow = panel.locator('[data-case-nodes] tr[data-type="network_inquiry"]');
    expect(await nodeRow.getAttribute('data-status')).toBe('overdue');
    expect(await nodeRow.innerText()).toContain('超期');
    expect(await nodeRow.innerText()).toContain('监督督促');

    // 督办 from the node: it appears in the case's orders.
    await nodeRow.locator('[data-issue]').click();
    await panel.locator('[data-compose="supervision"]').getByRole('button', { name: '发出督办' }).click();
    await panel.locator('[data-case-orders] li[data-state="issued"]').waitFor({ timeout: 10_000 });
    expect(await panel.locator('[data-case-orders] li').innerText()).toContain('网络查控');

    // A 中止执行 period from the filing day, still open: the node's clock stops, it leaves the overdue list.
    await panel.locator('[data-add-deduction]').click();
    const form = panel.locator('[data-compose="deduction"]');
    expect(await form.locator('select[name="reason"]').inputValue()).toBe('suspension');
    await form.locator('input[name="startedOn"]').fill(filedDay);
    await form.getByRole('button', { name: '保存' }).click();
    const period = panel.locator('[data-case-deductions] li[data-reason="suspension"][data-open]');
    await period.waitFor({ timeout: 10_000 });
    expect(await period.innerText()).toContain('中止执行');
    expect(await period.innerText()).toContain('进行中');
    expect(await period.innerText()).toContain(OFFICER.name);
    await panel.locator('[data-case-nodes] tr[data-type="network_inquiry"][data-paused]').waitFor();
    expect(await nodeRow.getAttribute('data-status')).not.toBe('overdue');
    expect(await nodeRow.innerText()).toContain('暂停计时');
    await row.waitFor({ state: 'detached', timeout: 10_000 });

    // Ending it the day before it started: the hub's message, in Chinese, and nothing changes.
    await period.locator('[data-end-deduction]').click();
    const endForm = period.locator('[data-compose="end-deduction"]');
    const dayBefore = new Date(Date.parse(`${filedDay}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await endForm.locator('input[name="endOn"]').fill(dayBefore);
    await endForm.getByRole('button', { name: '确认结束' }).click();
    const error = panel.locator('[data-case-error]');
    await error.waitFor();
    expect(await error.innerText()).toContain('数据校验未通过');
    expect(await error.innerText()).toContain('结束日期须晚于开始日期');
    // The same answer in English when the officer switches the UI language.
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => error.innerText()).toContain('Validation failed');
    expect(await error.innerText()).toContain('The end date must be after the start date');
    expect(await panel.locator('[data-case-deductions] h3').innerText()).toBe('Deduction periods');
    expect(await period.innerText()).toContain('ongoing');
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => error.innerText()).toContain('数据校验未通过');
    const stored = await call('GET', `/api/v1/cases/${encodeURIComponent(caseNo)}`, undefined, officerToken);
    expect(stored.body.deductions).toHaveLength(1);
    expect(stored.body.deductions[0].endedOn).toBeNull();

    // Ending it today: the node runs again with its deadline moved by the deducted days.
    await endForm.locator('input[name="endOn"]').fill(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10));
    await endForm.getByRole('button', { name: '确认结束' }).click();
    await panel.locator('[data-case-deductions] li[data-reason="suspension"]:not([data-open])').waitFor({ timeout: 10_000 });
    expect(await error.count()).toBe(0);
    await panel.locator('[data-case-nodes] tr[data-type="network_inquiry"]:not([data-paused])').waitFor();
    expect(await nodeRow.getAttribute('data-status')).not.toBe('overdue');
    expect(await nodeRow.locator('[data-base-due]').count()).toBe(1);
    const after = await call('GET', `/api/v1/cases/${encodeURIComponent(caseNo)}`, undefined, officerToken);
    expect(after.body.nodes[0].state).not.toBe('overdue');
    expect(Date.parse(after.body.nodes[0].dueAt)).toBeGreaterThan(Date.parse(after.body.nodes[0].baseDueAt));
    // Live: a period another user records (here through the API) appears without a reload.
    const notice = await call(
      'POST',
      `/api/v1/cases/${encodeURIComponent(caseNo)}/deductions`,
      { reason: 'public_notice', startedOn: filedDay, note: '公告送达执行通知书' },
      officerToken,
    );
    expect(notice.status).toBe(201);
    await panel.locator('[data-case-deductions] li[data-reason="public_notice"][data-open]').waitFor({ timeout: 10_000 });
    expect(await nodeRow.locator('[data-supervised][data-state="issued"]').count()).toBe(1);
    await page.screenshot({ path: join(shots, 'case-detail.png') });
    await page.close();

    // A viewer sees the case, its periods and orders, but no form to change them.
    const viewer = { username: 'viewer1', password: 'viewer-pass-123' };
    const admin = await login('admin', ADMIN_PASSWORD);
    expect((await call('POST', '/api/v1/people', { ...viewer, name: '赵查看', role: 'viewer', court: null }, admin)).status).toBe(201);
    const viewerPage = await openSignedIn('#/console', viewer);
    await viewerPage.locator('[data-link-state="online"]').waitFor({ timeout: 15_000 });
    await viewerPage.locator('[data-tab="overdue"]').click();
    await viewerPage.locator('[data-case-search] input[name="caseNo"]').fill(caseNo);
    await viewerPage.locator('[data-case-search] button[type="submit"]').click();
    const seen = viewerPage.locator(`[data-panel="case"][data-case="${caseNo}"]`);
    await seen.locator('[data-case-deductions] li[data-reason="public_notice"][data-open]').waitFor();
    expect(await seen.locator('[data-case-orders] li').count()).toBe(1);
    expect(await seen.locator('[data-add-deduction], [data-end-deduction], [data-issue]').count()).toBe(0);
    await viewerPage.close();
    expect(pageErrors.join('\n')).toBe('');
  });
});
