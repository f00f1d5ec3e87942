import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from './domain-error';
import type { HttpRequest, HttpResponse } from './http.types';
import { ROOT_LOGGER } from './logger';
import { buildProblem, codeForStatus, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details';
import { currentRequestId } from './request-context';

/**
 * The one exception filter (registered globally as APP_FILTER): every error leaves the API as
 * `application/problem+json`. Domain errors map by code; Nest HttpExceptions (unknown routes,
 * body-parser 400/413, …) by status; anything else is logged and answered with a bare 500 that
 * carries only the request id for correlation.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();
    const requestId = currentRequestId() ?? request.requestId ?? randomUUID();
    const instance = (request.originalUrl ?? request.url ?? '').split('?')[0];
    const problem = this.toProblem(exception, requestId, instance);

    if (response.headersSent) {
      this.logger.error({ err: exception }, 'error after the response started; closing the connection');
      response.destroy();
      return;
    }
    response.statusCode = problem.status;
    response.setHeader('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    response.setHeader('x-request-id', requestId);
    response.setHeader('cache-control', 'no-store');
    if (problem.code === 'UNAUTHENTICATED') response.setHeader('www-authenticate', 'Bearer');
    response.end(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, requestId: string, instance: string | undefined): ProblemDetails {
    const where = instance ? { instance } : {};
    if (exception instanceof DomainError) {
      return buildProblem({
        code: exception.code,
        detail: exception.message,
        requestId,
        ...where,
        ...(exception.errors ? { errors: exception.errors } : {}),
        ...(exception.moreErrors ? { moreErrors: exception.moreErrors } : {}),
      });
    }
    // A 5xx HttpException other than 503 is a server fault like any unknown error.
    if (exception instanceof HttpException && (exception.getStatus() < 500 || exception.getStatus() === 503)) {
      const status = exception.getStatus();
      return buildProblem({ code: codeForStatus(status), status, detail: httpExceptionDetail(exception), requestId, ...where });
    }
    this.logger.error({ err: exception }, 'unhandled error');
    return buildProblem({
      code: 'INTERNAL_ERROR',
      detail: `An unexpected error occurred. Quote request id ${requestId} when reporting it.`,
      requestId,
      ...where,
    });
  }
}

function httpExceptionDetail(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const message = body.message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.map(String).join('; ');
  }
  return exception.message;
}
