/** The hub's device endpoints the console uses: live views (调阅视频), PTZ and intercom calls (对讲). */
import type {
  Call,
  CallMedia,
  DevicePtzRequest,
  DeviceRecords,
  DeviceRecordsQuery,
  LivePlaybackControl,
  LiveView,
  LiveViewRequest,
} from '@cc/protocol';
import type { ApiClient } from './client';

const enc = encodeURIComponent;

export function deviceEndpoints(client: ApiClient) {
  return {
    openLiveView: (request: LiveViewRequest) => client.request<LiveView>('POST', 'api/v1/live-views', request),
    liveViewToken: (viewId: string) =>
      client.request<{ token: string; expiresAt: string }>('POST', `api/v1/live-views/${enc(viewId)}/token`, {}),
    closeLiveView: (viewId: string) => client.request<object>('DELETE', `api/v1/live-views/${enc(viewId)}`),
    deviceRecords: (deviceId: string, query: DeviceRecordsQuery) =>
      client.request<DeviceRecords>('POST', `api/v1/devices/${enc(deviceId)}/records`, query),
    playbackControl: (viewId: string, control: LivePlaybackControl) =>
      client.request<{ viewId: string; state: LiveView['state'] }>('POST', `api/v1/live-views/${enc(viewId)}/playback`, control),
    ptz: (deviceId: string, request: DevicePtzRequest) => client.request<object>('POST', `api/v1/devices/${enc(deviceId)}/ptz`, request),
    callMedia: (deviceId: string) => client.request<CallMedia>('POST', 'api/v1/calls/media', { deviceId }),
    startCall: (request: { deviceId: string; consoleProducerId?: string; incidentId?: string }) =>
      client.request<Call>('POST', 'api/v1/calls', request),
    answerCall: (callId: string, consoleProducerId?: string) =>
      client.request<Call>('POST', `api/v1/calls/${enc(callId)}/answer`, consoleProducerId ? { consoleProducerId } : {}),
    calls: async () => (await client.request<{ calls: Call[] }>('GET', 'api/v1/calls')).calls,
    hangUp: (callId: string) => client.request<Call>('DELETE', `api/v1/calls/${enc(callId)}`),
  };
}
