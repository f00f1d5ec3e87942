import { Controller, Get } from '@nestjs/common';
import { Public } from '../../src/auth/public.decorator';
import { DomainError } from '../../src/common/domain-error';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';

@Public()
@Controller('test-errors')
class ThrowingController {
  @Get('unexpected')
  unexpected(): never {
    throw new Error('database password is hunter2');
  }

  @Get('conflict')
  conflict(): never {
    throw new DomainError('CONFLICT', 'Already there');
  }

  @Get('file')
  file(): never {
    throw DomainError.invalidInput('The upload is invalid: 150 errors', [
      { line: 2, field: 'end', message: 'end must be greater than start' },
      { line: 3, field: 'label', message: 'missing' },
    ], 148);
  }
}

describe('problem+json', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ worker: false, captureLogs: true, extra: { controllers: [ThrowingController] } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers an unknown route with 404 problem+json carrying the request id', async () => {
    const response = await t.agent.get('/v1/nothing-here?x=1').set(auth(t.adminKey));
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toEqual({
      type: 'urn:concord:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'Cannot GET /v1/nothing-here?x=1',
      instance: '/v1/nothing-here',
      code: 'NOT_FOUND',
      requestId: response.headers['x-request-id'],
    });
    expect(response.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a client request id, and replaces one that is not safe to log', async () => {
    const kept = await t.agent.get('/nowhere').set('x-request-id', 'client-req-42');
    expect(kept.headers['x-request-id']).toBe('client-req-42');
    expect(kept.body.requestId).toBe('client-req-42');
    const replaced = await t.agent.get('/nowhere').set('x-request-id', 'bad id\twith tab');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('maps domain error codes, with errors[] and moreErrors', async () => {
    const conflict = await t.agent.get('/test-errors/conflict');
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ type: 'urn:concord:problem:conflict', code: 'CONFLICT', detail: 'Already there' });

    const file = await t.agent.get('/test-errors/file');
    expect(file.status).toBe(422);
    expect(file.body).toMatchObject({
      code: 'INVALID_INPUT',
      errors: [
        { line: 2, field: 'end', message: 'end must be greater than start' },
        { line: 3, field: 'label', message: 'missing' },
      ],
      moreErrors: 148,
    });
  });

  it('answers an unknown error with a bare 500 and logs it with the request id', async () => {
    const response = await t.agent.get('/test-errors/unexpected').set('x-request-id', 'req-500');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      type: 'urn:concord:problem:internal-error',
      title: 'Internal server error',
      status: 500,
      detail: 'An unexpected error occurred. Quote request id req-500 when reporting it.',
      instance: '/test-errors/unexpected',
      code: 'INTERNAL_ERROR',
      requestId: 'req-500',
    });
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
    const logged = t.logs.find((line) => line.msg === 'unhandled error');
    expect(logged).toMatchObject({ level: 'error', requestId: 'req-500', err: { message: 'database password is hunter2' } });
  });

  it('puts the request id (and, once authenticated, the key id) on every API log line', async () => {
    await t.agent.get('/v1/projects').set(auth(t.adminKey)).set('x-request-id', 'req-logged');
    const lines = t.logs.filter((line) => line.requestId === 'req-logged');
    expect(lines.length).toBeGreaterThan(0);
    const completed = lines.find((line) => line.msg === 'request completed');
    expect(completed).toMatchObject({ level: 'info', res: { statusCode: 200 }, keyId: expect.any(String) });
    expect(JSON.stringify(lines)).not.toContain(t.adminKey);
  });
});
