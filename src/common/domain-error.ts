/**
 * Errors the domain throws on purpose. The one exception filter turns each code into an
 * `application/problem+json` response (see problem-details.ts); anything that is not a
 * DomainError or an HttpException is an unknown error: a plain 500 with the request id.
 */
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'INVALID_INPUT'
  | 'MALFORMED_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'CONFLICT'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SERVICE_UNAVAILABLE';

/**
 * One input error: a JSON path (`name`, `policy.minAlpha`) or a line (and field) of an uploaded file,
 * and the file when an upload has several.
 */
export interface FieldError {
  file?: string;
  line?: number;
  path?: string;
  field?: string;
  message: string;
}

export interface DomainErrorOptions {
  /** Input errors, reported as `errors[]`. */
  errors?: readonly FieldError[];
  /** How many further input errors were found but not listed (the list is capped). */
  moreErrors?: number;
  cause?: unknown;
}

export class DomainError extends Error {
  readonly errors: readonly FieldError[] | undefined;
  readonly moreErrors: number | undefined;

  constructor(
    readonly code: DomainErrorCode,
    /** Human-readable detail for this occurrence; becomes `detail`. */
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.errors = options.errors;
    this.moreErrors = options.moreErrors;
  }

  /** `NOT_FOUND` for a resource the caller cannot see or that does not exist (the two look alike). */
  static notFound(what: string, id?: string): DomainError {
    return new DomainError('NOT_FOUND', id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }

  static invalidInput(message: string, errors: readonly FieldError[], moreErrors?: number): DomainError {
    return new DomainError('INVALID_INPUT', message, { errors, ...(moreErrors ? { moreErrors } : {}) });
  }
}
