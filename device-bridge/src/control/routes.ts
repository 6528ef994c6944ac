/**
 * The bridge's control API (hub → bridge), registered from the protocol's route table:
 * each route's params and body are parsed with its schema, the caller must carry a
 * service authorization, and routes not built yet answer 503 `unavailable`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode, ProtocolError, bridgeCommandRoutes, describeIssues, type BridgeCommandName } from '@cc/protocol';
import { verifyServiceAuthorization } from '@cc/runtime';
import type { z } from 'zod';

type Route<N extends BridgeCommandName> = (typeof bridgeCommandRoutes)[N];
export type CommandHandler<N extends BridgeCommandName> = (
  params: z.infer<Route<N>['params']>,
  body: z.infer<Route<N>['body']>,
) => Promise<z.infer<Route<N>['response']>> | z.infer<Route<N>['response']>;
export type CommandHandlers = { [N in BridgeCommandName]?: CommandHandler<N> };

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new ProtocolError(ErrorCode.ValidationFailed, { where, issues: describeIssues(result.error) });
  return result.data;
}

export function registerControlRoutes(app: FastifyInstance, serviceKey: Buffer, handlers: CommandHandlers): void {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (request.url.startsWith('/api/')) verifyServiceAuthorization(serviceKey, request.headers.authorization);
  });
  for (const name of Object.keys(bridgeCommandRoutes) as BridgeCommandName[]) {
    const route = bridgeCommandRoutes[name];
    const handler = handlers[name] as CommandHandler<BridgeCommandName> | undefined;
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request) => {
        if (!handler)
          throw new ProtocolError(ErrorCode.Unavailable, { command: name }, { message: `${name} is not available on this bridge yet` });
        const params = parse(route.params, request.params, 'params');
        const body = parse(route.body, request.body, 'body');
        return handler(params as never, body as never);
      },
    });
  }
}
