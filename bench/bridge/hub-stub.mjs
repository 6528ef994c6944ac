// The stub hub of bench:bridge in its own process, so that the load generator's work does
// not delay (or hide) the bridge → hub path being measured. Reports alarm arrivals
// (absolute ms) and offline events to the parent over IPC.
import { startHubStub } from '../../device-bridge/dist/sim/hub-stub.js';

const [dataDir] = process.argv.slice(2);
const hub = await startHubStub(dataDir);
const now = () => performance.timeOrigin + performance.now();
hub.onEvent = (event) => {
  if (event.type === 'alarm') process.send?.({ type: 'alarm', description: event.description ?? '', at: now() });
  else if (event.type === 'device.offline') process.send?.({ type: 'offline', reason: event.reason });
  if (hub.events.length > 1000) hub.events.length = 0;
};
process.on('message', (message) => {
  if (message === 'stats') process.send?.({ type: 'stats', refused: hub.refused });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', url: hub.url });
