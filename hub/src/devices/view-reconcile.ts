/**
 * Reconciles the hub's stored live views with the bridge's viewers, each time the hub sees
 * the bridge come up (the hub started, the bridge came back or restarted):
 * - bridge viewers with the hub's prefix that the hub does not know (it lost them, e.g. a
 *   view closed while the bridge was unreachable) are dropped, so their streams can stop;
 * - stored views whose viewer the bridge no longer has (the bridge restarted, the stream
 *   ended) are forgotten; the console's next renewal gets 404 and its tile says so.
 */
import type { Logger } from '@cc/runtime';
import type { BridgeClient } from '../bridge-link/index.js';
import { VIEW_ID_PREFIX, type ViewStore } from './view-store.js';

export interface ReconcileOutcome {
  /** Bridge viewers dropped (unknown to the hub). */
  dropped: number;
  /** Hub views forgotten (gone at the bridge). */
  forgotten: number;
}

export async function reconcileViews(bridge: BridgeClient, views: ViewStore, logger: Logger): Promise<ReconcileOutcome> {
  const { dropped } = await bridge.call('dropViewers', {}, { prefix: VIEW_ID_PREFIX, keep: views.known() });
  const { streams } = await bridge.call('listStreams', {}, {});
  const atBridge = new Set(streams.flatMap((s) => s.viewerIds.map((id) => `${s.streamId}\n${id}`)));
  let forgotten = 0;
  for (const view of views.all()) {
    if (views.opening.has(view.viewId) || atBridge.has(`${view.streamId}\n${view.viewId}`)) continue;
    if (views.delete(view.viewId)) forgotten += 1;
  }
  if (dropped.length > 0 || forgotten > 0) logger.info({ dropped: dropped.length, forgotten }, 'live views reconciled with the bridge');
  return { dropped: dropped.length, forgotten };
}
