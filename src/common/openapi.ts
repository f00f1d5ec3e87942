import { applyDecorators, type INestApplication } from '@nestjs/common';
import { ApiResponse, DocumentBuilder, type OpenAPIObject, type SchemaObject, SwaggerModule } from '@nestjs/swagger';
import { PROBLEM_SCHEMA } from './problem-details';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (e.g. invalid JSON)',
  401: 'No API key, or an invalid or revoked one',
  403: 'The key may see the resource but not do this',
  404: 'Not found, or not visible to this key',
  409: 'Conflict with the current state',
  413: 'Body larger than the configured limit',
  415: 'Unsupported media type',
  422: 'Invalid input: `errors[]` lists each problem with its path (or line and field)',
  503: 'A dependency (database, Redis) is unavailable',
};

/** Name of the problem details schema in `components.schemas` (added by the document factory). */
export const PROBLEM_SCHEMA_NAME = 'Problem';

/**
 * Documents the problem+json error responses of a route or controller:
 * `@ApiProblemResponses(401, 404, 422)`.
 */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` } } },
      }),
    ),
  );
}

/** Mounts Swagger UI at /docs and the OpenAPI document at /v1/openapi.json (both public). */
export function setupOpenApi(app: INestApplication, publicUrl: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Concord API')
    .setDescription(
      'Quality assurance and inter-annotator agreement for multimodal annotation data. ' +
        'Every /v1 route needs `Authorization: Bearer <api key>`. Errors are RFC 9457 `application/problem+json`.',
    )
    .setVersion('1')
    .addServer(publicUrl)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (cnc_…)' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, [PROBLEM_SCHEMA_NAME]: PROBLEM_SCHEMA as unknown as SchemaObject },
  };
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'v1/openapi.json',
    raw: ['json'],
    customSiteTitle: 'Concord API',
  });
  return document;
}
