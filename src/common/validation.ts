import { StandardSchemaValidationPipe } from '@nestjs/common';
import type { z } from 'zod';
import { invalidInputFromIssues } from './schema-issues';

/**
 * The global validation pipe: Nest 12 validates every `@Body({ schema })`, `@Query({ schema })`
 * and `@Param(name, { schema })` against its zod (Standard Schema) schema; failures become 422
 * problem+json with `errors[].path`. The same schema documents the body in OpenAPI.
 */
export function createValidationPipe(): StandardSchemaValidationPipe {
  return new StandardSchemaValidationPipe({ exceptionFactory: (issues) => invalidInputFromIssues(issues) });
}

/** Validates a value outside a route parameter (e.g. a query assembled by hand). */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInputFromIssues(result.error.issues, what);
  return result.data;
}
