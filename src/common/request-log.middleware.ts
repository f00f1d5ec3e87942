import type { Logger } from 'pino';
import type { HttpRequest, HttpResponse, NextFunction } from './http.types';

type Level = 'info' | 'warn' | 'error';

/**
 * One log line per request when its response is done, the line pino-http wrote (`reqId`,
 * `req: { method, url }`, `res: { statusCode }`, `responseTime` in ms; "request completed",
 * "request aborted" or "request errored"; info below 400, warn below 500, error from 500), with
 * the request context of the log mixin (request id, key id). Cheaper than pino-http: no child
 * loggers (pino-http makes two per request and serialises their bindings eagerly, even when the
 * line is below the log level), one listener, and nothing built unless the level is enabled.
 * Mount after the request-context middleware.
 */
export function createRequestLogMiddleware(logger: Logger): (request: HttpRequest, response: HttpResponse, next: NextFunction) => void {
  return (request, response, next) => {
    const started = Date.now();
    // 'close' follows 'finish' on every response, and ends an aborted one too.
    response.once('close', () => {
      const status = response.statusCode;
      const level: Level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const line: Record<string, unknown> = {
        reqId: request.requestId ?? '',
        req: { method: request.method, url: request.url },
        res: { statusCode: status },
        responseTime: Date.now() - started,
      };
      if (status >= 500) {
        line.err = new Error(`failed with status code ${status}`);
        logger[level](line, 'request errored');
      } else {
        logger[level](line, !request.readableAborted && response.writableEnded ? 'request completed' : 'request aborted');
      }
    });
    next();
  };
}
