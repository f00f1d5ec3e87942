import type { Logger } from 'pino';
import type { HttpRequest, HttpResponse, NextFunction } from './http.types';

type Level = 'info' | 'warn' | 'error';

/** When the request began (ms since the epoch), on the response: its 'close' listener is shared. */
const STARTED = Symbol('requestLogStarted');

type LoggedResponse = HttpResponse & { req: HttpRequest; [STARTED]?: number };

/**
 * One log line per request when its response is done, the line pino-http wrote (`reqId`,
 * `req: { method, url }`, `res: { statusCode }`, `responseTime` in ms; "request completed",
 * "request aborted" or "request errored"; info below 400, warn below 500, error from 500), with
 * the request context of the log mixin (request id, key id). Cheaper than pino-http: no child
 * loggers (pino-http makes two per request and serialises their bindings eagerly, even when the
 * line is below the log level), one listener shared by every response (no closure per request),
 * and nothing built unless the level is enabled. Mount after the request-context middleware.
 */
export function createRequestLogMiddleware(logger: Logger): (request: HttpRequest, response: HttpResponse, next: NextFunction) => void {
  // 'close' follows 'finish' on every response, and ends an aborted one too; it is emitted once.
  function onClose(this: LoggedResponse): void {
    const status = this.statusCode;
    const level: Level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const request = this.req;
    const line: Record<string, unknown> = {
      reqId: request.requestId ?? '',
      req: { method: request.method, url: request.url },
      res: { statusCode: status },
      responseTime: Date.now() - (this[STARTED] ?? Date.now()),
    };
    if (status >= 500) {
      line.err = new Error(`failed with status code ${status}`);
      logger[level](line, 'request errored');
    } else {
      logger[level](line, !request.readableAborted && this.writableEnded ? 'request completed' : 'request aborted');
    }
  }
  return (_request, response, next) => {
    (response as LoggedResponse)[STARTED] = Date.now();
    response.on('close', onClose);
    next();
  };
}
