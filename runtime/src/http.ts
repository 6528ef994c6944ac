/** A Fastify server with the conventions every service shares: /healthz, JSON errors, body limit. */
import { LogController, fastify, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { ErrorCode, ProtocolError, type Health, type ServiceName } from '@cc/protocol';
import type { Logger } from './logger.js';

export interface HttpOptions {
  service: ServiceName;
  version: string;
  logger: Logger;
  bodyLimit?: number;
  /** Extra facts for /healthz; returning status 'degraded' still answers 200. */
  healthDetails?: () => Record<string, unknown>;
}

const startedAt = Date.now();

export function createHttpServer(options: HttpOptions): FastifyInstance {
  const app = fastify({
    loggerInstance: options.logger.child({ module: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    forceCloseConnections: true,
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const wire =
      error instanceof ProtocolError
        ? error
        : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? new ProtocolError(ErrorCode.PayloadTooLarge)
          : (error.statusCode ?? 500) < 500
            ? new ProtocolError(ErrorCode.BadRequest, undefined, { message: error.message })
            : new ProtocolError(ErrorCode.Internal);
    const status = error instanceof ProtocolError ? httpStatusOf(error.code) : (error.statusCode ?? 500);
    if (status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    void reply.status(status).send({ error: wire.toWire() });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: new ProtocolError(ErrorCode.NotFound, { route: `${request.method} ${request.url.split('?')[0]}` }).toWire() });
  });

  app.get('/healthz', async () => {
    const health: Health = {
      status: 'ok',
      service: options.service,
      version: options.version,
      pid: process.pid,
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
      details: options.healthDetails?.() ?? {},
    };
    return health;
  });
  return app;
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.BadRequest:
    case ErrorCode.ValidationFailed:
    case ErrorCode.UnknownMessageType:
    case ErrorCode.OutOfOrder:
      return 400;
    case ErrorCode.Unauthenticated:
    case ErrorCode.InvalidToken:
    case ErrorCode.TokenExpired:
      return 401;
    case ErrorCode.Forbidden:
    case ErrorCode.RoomLocked:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.RateLimited:
      return 429;
    case ErrorCode.Unavailable:
      return 503;
    default:
      return 500;
  }
}
