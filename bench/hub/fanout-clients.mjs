// Worker thread for bench:hub: N WebSocket clients on the hub's event stream; each
// `entity.changed` bench event carries its send time (timeOrigin-based ms), arrival is timed.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const latencies = [];
const clients = await Promise.all(
  Array.from(
    { length: workerData.clients },
    () =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(workerData.url);
        ws.on('message', (raw) => {
          const frame = JSON.parse(raw.toString());
          if (frame.type === 'hello') return resolve(ws);
          if (frame.type === 'event' && frame.event.data.entity === 'bench')
            latencies.push(performance.timeOrigin + performance.now() - Number(frame.event.data.id));
        });
        ws.on('error', reject);
      }),
  ),
);
parentPort.postMessage({ ready: true });
parentPort.on('message', async ({ expect }) => {
  for (let i = 0; i < 300 && latencies.length < expect; i++) await new Promise((r) => setTimeout(r, 10));
  for (const ws of clients) ws.terminate();
  parentPort.postMessage({ latencies });
});
