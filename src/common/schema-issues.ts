import { DomainError, type FieldError } from './domain-error';

/** The most input errors listed in one response; the rest are counted in `moreErrors`. */
export const MAX_LISTED_ERRORS = 100;

type PathSegment = PropertyKey | { readonly key: PropertyKey };

/** A Standard Schema issue (zod's issues have this shape too). */
export interface SchemaIssue {
  readonly message: string;
  readonly path?: readonly PathSegment[] | undefined;
}

/** `policy.dimensions[0].minAlpha`; the whole value is `(root)`. */
export function formatIssuePath(path: readonly PathSegment[] | undefined): string {
  if (!path || path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    const key = typeof segment === 'object' ? segment.key : segment;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** An INVALID_INPUT error listing (up to {@link MAX_LISTED_ERRORS}) validation issues by path. */
export function invalidInputFromIssues(issues: readonly SchemaIssue[], what = 'The request'): DomainError {
  const errors: FieldError[] = issues
    .slice(0, MAX_LISTED_ERRORS)
    .map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }));
  const more = issues.length - errors.length;
  return DomainError.invalidInput(
    `${what} is invalid: ${issues.length} error${issues.length === 1 ? '' : 's'}`,
    errors,
    more > 0 ? more : undefined,
  );
}
