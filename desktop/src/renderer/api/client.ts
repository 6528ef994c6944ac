/**
 * HTTP client for the hub's `/api/v1`: JSON in and out, `Authorization: Bearer` on every
 * call, wire errors turned into ApiError, and a 401 reported once through `onUnauthorized`.
 */
import type { WireError } from '@cc/protocol';

/** An error answer of the hub (or a network failure, code `network`), with both catalog messages. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly messageZh: string;
  readonly messageEn: string;
  readonly details: unknown;

  constructor(
    status: number,
    wire: { code: WireError['code'] | 'network' | 'http'; message: string; messageEn: string; details?: unknown },
    options?: { cause?: unknown },
  ) {
    super(wire.messageEn, options);
    this.name = 'ApiError';
    this.status = status;
    this.code = wire.code;
    this.messageZh = wire.message;
    this.messageEn = wire.messageEn;
    this.details = wire.details;
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface ApiClientOptions {
  /** Base the relative API paths resolve against (the page's own URL in browser mode and Electron). */
  baseUrl: string;
  /** The session token, or null when signed out. */
  token: () => string | null;
  /** Called when the hub answers 401 to a call that carried a token. */
  onUnauthorized: () => void;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

export interface ApiClient {
  request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T>;
}

const NETWORK_ERROR = { code: 'network' as const, message: '无法连接中心服务', messageEn: 'Cannot reach the hub' };

function isWire(value: unknown): value is { error: WireError } {
  return typeof value === 'object' && value !== null && 'error' in value && typeof (value as { error: unknown }).error === 'object';
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
  return {
    async request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
      const token = options.token();
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await fetchImpl(new URL(path.replace(/^\//, ''), options.baseUrl), {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        throw new ApiError(0, NETWORK_ERROR, { cause: error });
      }
      const text = await response.text();
      const parsed: unknown = text ? JSON.parse(text) : undefined;
      if (response.ok) return parsed as T;
      if (response.status === 401 && token) options.onUnauthorized();
      if (isWire(parsed)) throw new ApiError(response.status, parsed.error);
      throw new ApiError(response.status, { code: 'http', message: `HTTP ${response.status}`, messageEn: `HTTP ${response.status}` });
    },
  };
}
