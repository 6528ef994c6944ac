/** HTTP routes of the ingest API (`/api/v1/ingest`), service-authorized; bodies parsed with the protocol's schemas. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  ErrorCode,
  INGEST_PREFIX,
  ProtocolError,
  createIngestListenerSchema,
  createIngestSourceSchema,
  describeIssues,
} from '@cc/protocol';
import { verifyServiceAuthorization } from '@cc/runtime';
import type { LiveSources } from './live-sources.js';

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new ProtocolError(ErrorCode.ValidationFailed, { issues: describeIssues(result.error) });
  return result.data;
}

function param(request: FastifyRequest, name: string): string {
  return String((request.params as Record<string, unknown>)[name] ?? '');
}

export function registerIngestRoutes(app: FastifyInstance, sources: LiveSources, key: Buffer): void {
  app.register(
    async (scope) => {
      scope.addHook('preHandler', async (request) => {
        verifyServiceAuthorization(key, request.headers.authorization);
      });
      scope.post('/sources', async (request, reply) =>
        reply.status(201).send(await sources.create(parse(createIngestSourceSchema, request.body))),
      );
      scope.get('/sources', async () => ({ sources: sources.list() }));
      scope.delete('/sources/:sourceId', async (request) => {
        sources.delete(param(request, 'sourceId'));
        return { closed: true };
      });
      scope.post('/listeners', async (request, reply) =>
        reply.status(201).send(await sources.listen(parse(createIngestListenerSchema, request.body))),
      );
      scope.delete('/listeners/:listenerId', async (request) => {
        sources.unlisten(param(request, 'listenerId'));
        return { closed: true };
      });
      scope.get('/rooms/:room/producers', async (request) => sources.producersIn(param(request, 'room')));
    },
    { prefix: INGEST_PREFIX },
  );
}
