/**
 * Hub → device bridge: typed calls to the bridge's control API, one per entry of the
 * protocol's `bridgeCommandRoutes`. Each call carries a fresh service authorization, has a
 * timeout, parses the bridge's answer with the route's schema, and turns a bridge that
 * cannot be reached into `unavailable` (the bridge's own errors keep their code).
 */
import {
  ErrorCode,
  ProtocolError,
  bridgeCommandRoutes,
  describeIssues,
  wireErrorSchema,
  type BridgeCommandName,
  type BridgeCommandResponse,
} from '@cc/protocol';
import { serviceAuthorization, type Logger } from '@cc/runtime';
import type { z } from 'zod';

type Route<N extends BridgeCommandName> = (typeof bridgeCommandRoutes)[N];
export type BridgeParams<N extends BridgeCommandName> = z.input<Route<N>['params']>;
export type BridgeBody<N extends BridgeCommandName> = z.input<Route<N>['body']>;

export interface BridgeClientOptions {
  /** `http://127.0.0.1:8702` */
  url: string;
  /** The data directory's join-token key (service tokens are signed with it). */
  key: Buffer;
  logger: Logger;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export interface BridgeClient {
  call<N extends BridgeCommandName>(name: N, params: BridgeParams<N>, body: BridgeBody<N>): Promise<BridgeCommandResponse<N>>;
}

const DEFAULT_TIMEOUT_MS = 8000;

function pathOf(template: string, params: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));
}

function unreachable(name: string, cause: unknown): ProtocolError {
  const reason = cause instanceof Error ? (cause.name === 'TimeoutError' ? 'timeout' : cause.message) : String(cause);
  return new ProtocolError(
    ErrorCode.Unavailable,
    { service: 'device-bridge', command: name, reason },
    { cause, message: `The device bridge cannot be reached (${reason})` },
  );
}

/** The bridge answered with an error: keep its code so the console sees not_found, validation_failed … as such. */
function bridgeError(name: string, status: number, payload: unknown): ProtocolError {
  const wire = wireErrorSchema.safeParse((payload as { error?: unknown } | undefined)?.error);
  // A bridge refusing the hub's own credentials is a deployment fault, not the console user's: never a 401 to them.
  const hubSide: readonly string[] = [ErrorCode.Unauthenticated, ErrorCode.InvalidToken, ErrorCode.TokenExpired, ErrorCode.Forbidden];
  if (!wire.success || hubSide.includes(wire.data.code))
    return new ProtocolError(
      ErrorCode.Unavailable,
      { service: 'device-bridge', command: name, status },
      { message: `Device bridge HTTP ${status}` },
    );
  return new ProtocolError(
    wire.data.code,
    { service: 'device-bridge', command: name, bridge: wire.data.details },
    { message: `Device bridge: ${wire.data.messageEn}` },
  );
}

export function createBridgeClient(options: BridgeClientOptions): BridgeClient {
  const fetchImpl = options.fetchImpl ?? fetch;
  const logger = options.logger.child({ module: 'bridge-link' });
  return {
    async call(name, params, body) {
      const route = bridgeCommandRoutes[name] as Route<typeof name> | undefined;
      if (!route)
        throw new ProtocolError(
          ErrorCode.Unavailable,
          { service: 'device-bridge', command: name },
          { message: `The bridge has no command ${name} yet` },
        );
      const path = pathOf(route.path, route.params.parse(params) as Record<string, string>);
      const payload = route.body.parse(body) as object;
      const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
      const started = performance.now();
      let response: Response;
      try {
        response = await fetchImpl(new URL(path, options.url), {
          method: route.method,
          headers: { authorization: serviceAuthorization(options.key, 'hub'), ...(hasBody ? { 'content-type': 'application/json' } : {}) },
          body: hasBody ? JSON.stringify(payload) : undefined,
          signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        });
      } catch (cause) {
        const error = unreachable(name, cause);
        logger.warn({ command: name, err: (error.details as { reason: string }).reason }, 'bridge unreachable');
        throw error;
      }
      const text = await response.text().catch(() => '');
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        parsed = undefined;
      }
      const ms = Math.round(performance.now() - started);
      if (!response.ok) {
        logger.info({ command: name, status: response.status, ms }, 'bridge refused a command');
        throw bridgeError(name, response.status, parsed);
      }
      const answer = route.response.safeParse(parsed);
      if (!answer.success) {
        logger.warn({ command: name, ms }, 'bridge answer does not match the protocol');
        throw new ProtocolError(
          ErrorCode.Unavailable,
          { service: 'device-bridge', command: name, issues: describeIssues(answer.error) },
          { message: 'The device bridge answered out of protocol' },
        );
      }
      logger.debug({ command: name, ms }, 'bridge command');
      return answer.data as BridgeCommandResponse<typeof name>;
    },
  };
}
