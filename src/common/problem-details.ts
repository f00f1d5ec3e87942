import { STATUS_CODES } from 'node:http';
import type { DomainErrorCode, FieldError } from './domain-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Codes in `code` that come from HTTP-level failures rather than from the domain. */
export type TransportErrorCode = 'METHOD_NOT_ALLOWED' | 'TOO_MANY_REQUESTS' | 'HTTP_ERROR' | 'INTERNAL_ERROR';
export type ProblemCode = DomainErrorCode | TransportErrorCode;

/** RFC 9457 problem details, with Concord's extension members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ProblemCode;
  requestId: string;
  errors?: FieldError[];
  moreErrors?: number;
}

interface ProblemKind {
  status: number;
  title: string;
  slug: string;
}

function kind(status: number, title: string, slug: string): ProblemKind {
  return { status, title, slug };
}

/** Status, title and type of each domain error code: the exhaustive switch the contract asks for. */
export function problemKindOf(code: ProblemCode): ProblemKind {
  switch (code) {
    case 'NOT_FOUND':
      return kind(404, 'Not Found', 'not-found');
    case 'UNAUTHENTICATED':
      return kind(401, 'Unauthenticated', 'unauthenticated');
    case 'FORBIDDEN':
      return kind(403, 'Forbidden', 'forbidden');
    case 'INVALID_INPUT':
      return kind(422, 'Invalid input', 'invalid-input');
    case 'MALFORMED_REQUEST':
      return kind(400, 'Malformed request', 'malformed-request');
    case 'PAYLOAD_TOO_LARGE':
      return kind(413, 'Payload too large', 'payload-too-large');
    case 'CONFLICT':
      return kind(409, 'Conflict', 'conflict');
    case 'UNSUPPORTED_MEDIA_TYPE':
      return kind(415, 'Unsupported media type', 'unsupported-media-type');
    case 'SERVICE_UNAVAILABLE':
      return kind(503, 'Service unavailable', 'service-unavailable');
    case 'METHOD_NOT_ALLOWED':
      return kind(405, 'Method not allowed', 'method-not-allowed');
    case 'TOO_MANY_REQUESTS':
      return kind(429, 'Too many requests', 'too-many-requests');
    case 'HTTP_ERROR':
      return kind(400, 'HTTP error', 'http-error');
    case 'INTERNAL_ERROR':
      return kind(500, 'Internal server error', 'internal-error');
    default: {
      const unhandled: never = code;
      throw new Error(`unhandled problem code ${String(unhandled)}`);
    }
  }
}

/** The code that an HTTP status (from a Nest HttpException or an http-errors error) stands for. */
export function codeForStatus(status: number): ProblemCode {
  switch (status) {
    case 400:
      return 'MALFORMED_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 422:
      return 'INVALID_INPUT';
    case 429:
      return 'TOO_MANY_REQUESTS';
    case 503:
      return 'SERVICE_UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'HTTP_ERROR';
  }
}

/** `type` is a URN, not a URL: it names the problem and is not meant to be fetched. */
export function problemType(code: ProblemCode): string {
  return `urn:concord:problem:${problemKindOf(code).slug}`;
}

export function buildProblem(input: {
  code: ProblemCode;
  detail: string;
  requestId: string;
  instance?: string;
  status?: number;
  errors?: readonly FieldError[];
  moreErrors?: number;
}): ProblemDetails {
  const known = problemKindOf(input.code);
  const status = input.status ?? known.status;
  const title = input.code === 'HTTP_ERROR' ? (STATUS_CODES[status] ?? known.title) : known.title;
  return {
    type: problemType(input.code),
    title,
    status,
    detail: input.detail,
    ...(input.instance === undefined ? {} : { instance: input.instance }),
    code: input.code,
    requestId: input.requestId,
    ...(input.errors && input.errors.length > 0 ? { errors: input.errors.map((e) => ({ ...e })) } : {}),
    ...(input.moreErrors ? { moreErrors: input.moreErrors } : {}),
  };
}

const PROBLEM_CODES: readonly ProblemCode[] = [
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'INVALID_INPUT',
  'MALFORMED_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'CONFLICT',
  'UNSUPPORTED_MEDIA_TYPE',
  'SERVICE_UNAVAILABLE',
  'METHOD_NOT_ALLOWED',
  'TOO_MANY_REQUESTS',
  'HTTP_ERROR',
  'INTERNAL_ERROR',
];

/** OpenAPI schema of a problem details body (registered as `components.schemas.Problem`). */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', example: 'urn:concord:problem:invalid-input' },
    title: { type: 'string', example: 'Invalid input' },
    status: { type: 'integer', example: 422 },
    detail: { type: 'string', example: 'The request body is invalid' },
    instance: { type: 'string', example: '/v1/projects' },
    code: { type: 'string', enum: [...PROBLEM_CODES] },
    requestId: { type: 'string', description: 'Correlation id; also in the x-request-id response header' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['message'],
        properties: {
          file: { type: 'string', description: 'The uploaded file (part name, or `archive.zip/entry`) of a batch of several files' },
          path: { type: 'string', description: 'JSON path of the bad value, e.g. policy.minAlpha, or [12].annotations[3].result[0].value.start in a Label Studio export' },
          line: { type: 'integer', description: 'Line of the uploaded file' },
          field: { type: 'string', description: 'Field (column) of that line' },
          message: { type: 'string' },
        },
      },
    },
    moreErrors: { type: 'integer', description: 'Errors found beyond the listed ones' },
  },
} as const;
