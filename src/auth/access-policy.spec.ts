import { DomainError } from '../common/domain-error';
import { assertBatchVisible, assertProjectAccess, assertRole, batchVisibility, canSeeBatch, canSeeProject } from './access-policy';
import type { Principal } from './principal';

const P = '11111111-1111-4111-8111-111111111111';
const Q = '22222222-2222-4222-8222-222222222222';
const admin: Principal = { keyId: 'k0', role: 'admin', projectId: null, vendor: null };
const lead: Principal = { keyId: 'k1', role: 'qa_lead', projectId: P, vendor: null };
const acme: Principal = { keyId: 'k2', role: 'vendor', projectId: P, vendor: 'acme' };

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'other';
  }
}

describe('access policy', () => {
  it.each([
    [admin, P, true],
    [admin, Q, true],
    [lead, P, true],
    [lead, Q, false],
    [acme, P, true],
    [acme, Q, false],
  ])('project visibility %#', (principal, projectId, visible) => {
    expect(canSeeProject(principal, projectId)).toBe(visible);
    expect(codeOf(() => assertProjectAccess(principal, projectId))).toBe(visible ? null : 'NOT_FOUND');
  });

  it('gives each role its batch filter', () => {
    expect(batchVisibility(admin)).toEqual({ projectId: null, vendor: null });
    expect(batchVisibility(lead)).toEqual({ projectId: P, vendor: null });
    expect(batchVisibility(acme)).toEqual({ projectId: P, vendor: 'acme' });
  });

  it.each([
    [admin, { projectId: Q, vendor: 'globex' }, true],
    [lead, { projectId: P, vendor: 'globex' }, true],
    [lead, { projectId: Q, vendor: null }, false],
    [acme, { projectId: P, vendor: 'acme' }, true],
    [acme, { projectId: P, vendor: 'globex' }, false],
    [acme, { projectId: P, vendor: null }, false],
    [acme, { projectId: Q, vendor: 'acme' }, false],
  ])('batch visibility %#', (principal, batch, visible) => {
    expect(canSeeBatch(principal, batch)).toBe(visible);
    expect(codeOf(() => assertBatchVisible(principal, { id: 'b', ...batch }, 'b'))).toBe(visible ? null : 'NOT_FOUND');
  });

  it('treats a missing batch like an invisible one', () => {
    expect(codeOf(() => assertBatchVisible(admin, null, 'b'))).toBe('NOT_FOUND');
  });

  it('refuses actions with FORBIDDEN and names the roles needed', () => {
    expect(codeOf(() => assertRole(admin, 'admin'))).toBeNull();
    expect(codeOf(() => assertRole(lead, 'admin', 'qa_lead'))).toBeNull();
    expect(codeOf(() => assertRole(acme, 'admin', 'qa_lead'))).toBe('FORBIDDEN');
    expect(() => assertRole(lead, 'admin')).toThrow('This action needs an admin key.');
    expect(() => assertRole(acme, 'admin', 'qa_lead')).toThrow('This action needs a admin or qa_lead key.');
  });
});
