/** Asks the other services for their health so the console can show what is up. */
import { healthSchema, type Health } from '@cc/protocol';

export interface ServiceStatus {
  service: string;
  url: string;
  state: 'online' | 'offline';
  health?: Health;
  error?: string;
}

export async function probeService(service: string, url: string, timeoutMs = 1500): Promise<ServiceStatus> {
  try {
    const response = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { service, url, state: 'offline', error: `HTTP ${response.status}` };
    return { service, url, state: 'online', health: healthSchema.parse(await response.json()) };
  } catch (error) {
    return { service, url, state: 'offline', error: (error as Error).message };
  }
}
