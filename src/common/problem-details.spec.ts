import { buildProblem, codeForStatus, problemKindOf, type ProblemCode } from './problem-details';

describe('problem details', () => {
  it.each<[ProblemCode, number, string]>([
    ['NOT_FOUND', 404, 'Not Found'],
    ['UNAUTHENTICATED', 401, 'Unauthenticated'],
    ['FORBIDDEN', 403, 'Forbidden'],
    ['INVALID_INPUT', 422, 'Invalid input'],
    ['MALFORMED_REQUEST', 400, 'Malformed request'],
    ['PAYLOAD_TOO_LARGE', 413, 'Payload too large'],
    ['CONFLICT', 409, 'Conflict'],
    ['UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported media type'],
    ['SERVICE_UNAVAILABLE', 503, 'Service unavailable'],
    ['INTERNAL_ERROR', 500, 'Internal server error'],
  ])('maps %s to %i %s, and the status back to the code', (code, status, title) => {
    expect(problemKindOf(code)).toMatchObject({ status, title });
    expect(codeForStatus(status)).toBe(code);
  });

  it.each([
    [405, 'METHOD_NOT_ALLOWED'],
    [429, 'TOO_MANY_REQUESTS'],
    [418, 'HTTP_ERROR'],
    [502, 'INTERNAL_ERROR'],
  ])('maps the other status %i to %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });

  it('builds the body with the standard members first and drops empty extensions', () => {
    expect(buildProblem({ code: 'CONFLICT', detail: 'Already there', requestId: 'r1', errors: [] })).toEqual({
      type: 'urn:concord:problem:conflict',
      title: 'Conflict',
      status: 409,
      detail: 'Already there',
      code: 'CONFLICT',
      requestId: 'r1',
    });
  });

  it('keeps the given status and its standard title for a generic HTTP error', () => {
    expect(buildProblem({ code: 'HTTP_ERROR', status: 418, detail: 'teapot', requestId: 'r', instance: '/x' })).toEqual({
      type: 'urn:concord:problem:http-error',
      title: "I'm a Teapot",
      status: 418,
      detail: 'teapot',
      instance: '/x',
      code: 'HTTP_ERROR',
      requestId: 'r',
    });
  });

  it('lists input errors and the count of the ones left out', () => {
    const problem = buildProblem({
      code: 'INVALID_INPUT',
      detail: 'bad',
      requestId: 'r',
      errors: [{ line: 3, field: 'end', message: 'end must be greater than start' }],
      moreErrors: 7,
    });
    expect(problem.errors).toEqual([{ line: 3, field: 'end', message: 'end must be greater than start' }]);
    expect(problem.moreErrors).toBe(7);
  });
});
