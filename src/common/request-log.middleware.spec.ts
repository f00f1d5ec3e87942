import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { HttpRequest, HttpResponse } from './http.types';
import { createRequestLogMiddleware } from './request-log.middleware';

function capture(level: pino.Level) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

async function exchange(logger: pino.Logger, statusCode: number, ended = true) {
  const request = Object.assign(new EventEmitter(), { method: 'GET', url: '/v1/x?y=1', requestId: 'r1', readableAborted: false });
  const response = Object.assign(new EventEmitter(), { statusCode, writableEnded: ended, req: request });
  let nexted = false;
  createRequestLogMiddleware(logger)(request as unknown as HttpRequest, response as unknown as HttpResponse, () => (nexted = true));
  expect(nexted).toBe(true);
  response.emit('close');
  await new Promise((resolve) => setImmediate(resolve));
}

describe('request log middleware', () => {
  it('logs one line per request, like pino-http did', async () => {
    const { logger, lines } = capture('info');
    await exchange(logger, 200);
    await exchange(logger, 404);
    await exchange(logger, 503);
    await exchange(logger, 200, false);
    expect(lines.map((line) => [line.level, line.msg, line.res])).toEqual([
      [30, 'request completed', { statusCode: 200 }],
      [40, 'request completed', { statusCode: 404 }],
      [50, 'request errored', { statusCode: 503 }],
      [30, 'request aborted', { statusCode: 200 }],
    ]);
    expect(lines[0]).toMatchObject({ reqId: 'r1', req: { method: 'GET', url: '/v1/x?y=1' }, responseTime: expect.any(Number) });
    expect(lines[2]).toMatchObject({ err: { message: 'failed with status code 503' } });
  });

  it('builds nothing below the log level', async () => {
    const { logger, lines } = capture('warn');
    await exchange(logger, 200);
    await exchange(logger, 404);
    expect(lines.map((line) => line.res)).toEqual([{ statusCode: 404 }]);
  });
});
