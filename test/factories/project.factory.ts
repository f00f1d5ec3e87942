import type { CreateProjectBody } from '../../src/projects/dto/create-project.dto';
import type { IssuedKeyResponse, ProjectResponse } from '../../src/projects/dto/project.response';
import { auth, type TestApp } from '../helpers/test-app';

let sequence = 0;

/** A valid `POST /v1/projects` body; unique name per call. */
export function projectBody(overrides: Partial<CreateProjectBody> = {}): CreateProjectBody {
  sequence += 1;
  return { name: `project ${process.pid}-${sequence}`, ...overrides };
}

/** Creates a project as the admin (or `asKey`) and returns the response body. */
export async function createProject(
  testApp: Pick<TestApp, 'agent' | 'adminKey'>,
  overrides: Partial<CreateProjectBody> = {},
  asKey = testApp.adminKey,
): Promise<ProjectResponse> {
  const response = await testApp.agent.post('/v1/projects').set(auth(asKey)).send(projectBody(overrides));
  if (response.status !== 201) throw new Error(`create project: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as ProjectResponse;
}

export interface KeyOverrides {
  role?: 'qa_lead' | 'vendor';
  vendor?: string;
  label?: string;
}

/** Issues a project key (default: a vendor key of vendor `acme`) and returns the response body. */
export async function issueKey(
  testApp: Pick<TestApp, 'agent' | 'adminKey'>,
  projectId: string,
  overrides: KeyOverrides = {},
  asKey = testApp.adminKey,
): Promise<IssuedKeyResponse> {
  const role = overrides.role ?? 'vendor';
  const body = { role, ...(role === 'vendor' ? { vendor: overrides.vendor ?? 'acme' } : {}), ...(overrides.label ? { label: overrides.label } : {}) };
  const response = await testApp.agent.post(`/v1/projects/${projectId}/keys`).set(auth(asKey)).send(body);
  if (response.status !== 201) throw new Error(`issue key: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as IssuedKeyResponse;
}

/** A project with a qa_lead key and vendor keys for `acme` and `globex`. */
export async function createProjectWithKeys(testApp: Pick<TestApp, 'agent' | 'adminKey'>, overrides: Partial<CreateProjectBody> = {}) {
  const project = await createProject(testApp, overrides);
  const [qaLead, vendorA, vendorB] = await Promise.all([
    issueKey(testApp, project.id, { role: 'qa_lead' }),
    issueKey(testApp, project.id, { vendor: 'acme' }),
    issueKey(testApp, project.id, { vendor: 'globex' }),
  ]);
  return { project, qaLead: qaLead.key, vendorA: vendorA.key, vendorB: vendorB.key };
}
