import { z } from 'zod';
import { DomainError } from './domain-error';
import { formatIssuePath, invalidInputFromIssues, MAX_LISTED_ERRORS } from './schema-issues';

describe('formatIssuePath', () => {
  it.each([
    [undefined, '(root)'],
    [[], '(root)'],
    [['name'], 'name'],
    [['policy', 'minAlpha'], 'policy.minAlpha'],
    [['schema', 'dimensions', 0, 'labels', 2], 'schema.dimensions[0].labels[2]'],
    [[{ key: 'a' }, { key: 1 }], 'a[1]'],
    [[3], '[3]'],
  ])('formats %j as %s', (path, expected) => {
    expect(formatIssuePath(path)).toBe(expected);
  });
});

describe('invalidInputFromIssues', () => {
  it('turns zod issues into an INVALID_INPUT error with a path per issue', () => {
    const result = z.object({ name: z.string(), n: z.number().int() }).safeParse({ n: 1.5 });
    expect(result.success).toBe(false);
    const error = invalidInputFromIssues(result.error!.issues, 'The body');
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe('The body is invalid: 2 errors');
    expect(error.errors?.map((e) => e.path)).toEqual(['name', 'n']);
    expect(error.moreErrors).toBeUndefined();
  });

  it(`lists at most ${MAX_LISTED_ERRORS} issues and counts the rest`, () => {
    const issues = Array.from({ length: 130 }, (_, i) => ({ message: `bad ${i}`, path: [i] }));
    const error = invalidInputFromIssues(issues);
    expect(error.errors).toHaveLength(100);
    expect(error.errors?.[99]).toEqual({ path: '[99]', message: 'bad 99' });
    expect(error.moreErrors).toBe(30);
    expect(error.message).toBe('The request is invalid: 130 errors');
  });
});
