// bench:alarm — how fast an alarm from the device bridge reaches the duty consoles.
// Starts a real hub process on a temp SQLite store, connects N console WebSocket
// clients, and posts alarms to the bridge ingest endpoint with a service token (as the
// bridge does), one at a time and in bursts. Measures the HTTP acknowledgement (alarm
// stored) and the arrival of `alarm.raised` at every console.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { loadJoinTokenKey, serviceAuthorization } from '@cc/runtime';
import { percentile, progress, quick, round, tempDataDir } from './lib/stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLES = quick ? 10 : 50;
const ALARMS = quick ? 300 : 2000;
const PORT = 18790;
const dataDir = tempDataDir('alarm');
const base = `http://127.0.0.1:${PORT}`;

const hub = spawn(process.execPath, [join(root, 'hub/dist/main.js')], {
  env: {
    ...process.env,
    CC_DATA_DIR: dataDir,
    CC_HUB_PORT: String(PORT),
    CC_HUB_DEMO: 'off',
    CC_HUB_ADMIN_PASSWORD: 'bench-admin-1',
    CC_LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const stopHub = () => hub.exitCode === null && hub.kill('SIGTERM');
process.on('exit', stopHub);

async function waitHealthy() {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('hub did not start');
}

async function call(method, path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body && JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

console.log(`bench:alarm — ${CONSOLES} consoles, ${ALARMS} alarms${quick ? ' (quick)' : ''}`);
await waitHealthy();
const { token } = await call('POST', '/api/v1/auth/login', { username: 'admin', password: 'bench-admin-1' });
const admin = { authorization: `Bearer ${token}` };
await call(
  'POST',
  '/api/v1/courts',
  { code: '110000', name: '北京市高级人民法院', level: 'high', parentCode: null, lat: 39.8977, lon: 116.3956 },
  admin,
);
for (let i = 0; i < 16; i++) {
  await call(
    'POST',
    '/api/v1/courts',
    {
      code: `1101${String(i).padStart(2, '0')}`,
      name: `基层法院${i}`,
      level: 'basic',
      parentCode: '110000',
      lat: 39.7 + i * 0.03,
      lon: 116.1 + i * 0.04,
    },
    admin,
  );
}
const bridge = { authorization: serviceAuthorization(loadJoinTokenKey(dataDir), 'device-bridge') };

const sentAt = new Map();
const latencies = [];
let arrivals = 0;
const sockets = await Promise.all(
  Array.from(
    { length: CONSOLES },
    () =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/events?token=${token}`);
        ws.on('message', (raw) => {
          const frame = JSON.parse(String(raw));
          if (frame.type === 'hello') resolve(ws);
          if (frame.type === 'event' && frame.event.type === 'alarm.raised') {
            const t0 = sentAt.get(frame.event.data.alarm.description);
            if (t0 !== undefined) latencies.push(performance.now() - t0);
            arrivals++;
          }
        });
        ws.on('error', reject);
      }),
  ),
);

const acks = [];
for (let i = 0; i < ALARMS; i++) {
  const label = `alarm-${i}`;
  const event = {
    eventId: randomUUID(),
    at: new Date().toISOString(),
    type: 'alarm',
    deviceId: `110105000013200${String(i).padStart(5, '0')}`,
    channelId: `110105000013200${String(i).padStart(5, '0')}`,
    priority: 1,
    method: 1,
    description: label,
    position: { longitude: 116.3 + (i % 50) * 0.005, latitude: 39.9 + (i % 30) * 0.004 },
    sn: i,
  };
  const t0 = performance.now();
  sentAt.set(label, t0);
  await call('POST', '/api/v1/ingest/bridge', { events: [event] }, bridge);
  acks.push(performance.now() - t0);
  if (i % 50 === 49 || i === ALARMS - 1) progress('alarms', i + 1, ALARMS);
}
const deadline = Date.now() + 10_000;
while (arrivals < ALARMS * CONSOLES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
for (const ws of sockets) ws.close();
stopHub();

const result = {
  bench: 'alarm',
  quick,
  consoles: CONSOLES,
  alarms: ALARMS,
  delivered_pct: round((arrivals / (ALARMS * CONSOLES)) * 100),
  ack_p50_ms: round(percentile(acks, 50)),
  ack_p99_ms: round(percentile(acks, 99)),
  alarm_to_console_p50_ms: round(percentile(latencies, 50)),
  alarm_to_console_p99_ms: round(percentile(latencies, 99)),
};
console.log(`
  alarm stored and acknowledged (bridge → hub HTTP):  p50 ${result.ack_p50_ms} ms   p99 ${result.ack_p99_ms} ms
  alarm.raised at every console (bridge POST → WS):   p50 ${result.alarm_to_console_p50_ms} ms   p99 ${result.alarm_to_console_p99_ms} ms
  delivered: ${result.delivered_pct} % of ${ALARMS} × ${CONSOLES}
`);
console.log(JSON.stringify(result));
