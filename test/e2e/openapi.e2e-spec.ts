import { createTestApp, type TestApp } from '../helpers/test-app';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, { content?: Record<string, { schema?: unknown }> }>; security?: unknown }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>; securitySchemes: Record<string, unknown> };
}

describe('OpenAPI', () => {
  let t: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    t = await createTestApp({ worker: false });
    const response = await t.agent.get('/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    document = response.body as OpenApiDocument;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('documents every endpoint of this part of the API', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/projects', '/v1/projects/{projectId}/keys', '/health', '/metrics']));
    expect(Object.keys(document.paths['/v1/projects']!).sort()).toEqual(['get', 'post']);
    expect(document.components.securitySchemes).toHaveProperty('bearer');
  });

  /** The JSON of a schema with its `$ref`s into components replaced by the components (one level deep each). */
  function expanded(value: unknown): string {
    return JSON.stringify(value, (_key, node: unknown) => {
      if (node && typeof node === 'object' && '$ref' in node && typeof node.$ref === 'string') {
        const name = node.$ref.replace('#/components/schemas/', '');
        return name === 'Problem' ? node : document.components.schemas[name];
      }
      return node;
    });
  }

  it('documents request bodies from the zod schemas', () => {
    const body = document.paths['/v1/projects']!.post!.requestBody;
    expect(body).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateProjectBody' } } } });
    expect(document.components.schemas.CreateProjectBody?.required).toEqual(['name']);
    expect(expanded(body)).toContain('minAlpha');
    expect(expanded(body)).toContain('crossModal');
    const keyBody = expanded(document.paths['/v1/projects/{projectId}/keys']!.post!.requestBody);
    expect(keyBody).toContain('qa_lead');
    expect(keyBody).toContain('vendor');
  });

  it('documents success bodies and the problem+json errors', () => {
    const create = document.paths['/v1/projects']!.post!.responses;
    expect(expanded(create['201'])).toContain('effectivePolicy');
    expect(expanded(document.paths['/v1/projects/{projectId}/keys']!.post!.responses['201'])).toContain('Shown only in this response');
    for (const status of ['401', '403', '413', '422']) {
      expect(create[status]?.content?.['application/problem+json']?.schema).toEqual({ $ref: '#/components/schemas/Problem' });
    }
    expect(document.components.schemas.Problem?.required).toEqual(['type', 'title', 'status', 'detail', 'code', 'requestId']);
    expect(Object.keys(document.components.schemas.Problem?.properties ?? {})).toEqual(
      expect.arrayContaining(['errors', 'moreErrors', 'instance']),
    );
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await t.agent.get('/docs/');
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger-ui');
  });
});
