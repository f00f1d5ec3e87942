import { DomainError } from '../common/domain-error';
import type { Principal, Role } from './principal';

/**
 * Who may see what (DESIGN.md section 6): admin everything; qa_lead one project; vendor one
 * project and only its own batches. What a key may not see answers 404, never 403, so ids do not
 * leak; 403 is only for actions on something the key can see (a vendor creating a key).
 */

/** Whether the principal may see the project at all. */
export function canSeeProject(principal: Principal, projectId: string): boolean {
  return principal.role === 'admin' || principal.projectId === projectId;
}

/** Throws NOT_FOUND unless the principal may see the project. */
export function assertProjectAccess(principal: Principal, projectId: string): void {
  if (!canSeeProject(principal, projectId)) throw DomainError.notFound('Project', projectId);
}

/** Throws FORBIDDEN unless the principal has one of the roles (for actions, not for visibility). */
export function assertRole(principal: Principal, ...roles: Role[]): void {
  if (!roles.includes(principal.role)) {
    throw new DomainError('FORBIDDEN', `This action needs a${roles.length === 1 && roles[0] === 'admin' ? 'n' : ''} ${roles.join(' or ')} key.`);
  }
}

/**
 * The filter a batch query must apply for this principal: `projectId`/`vendor` null = no
 * restriction on that column. Use it in WHERE clauses so invisible batches are never loaded.
 */
export interface BatchVisibility {
  projectId: string | null;
  vendor: string | null;
}

export function batchVisibility(principal: Principal): BatchVisibility {
  switch (principal.role) {
    case 'admin':
      return { projectId: null, vendor: null };
    case 'qa_lead':
      return { projectId: principal.projectId, vendor: null };
    case 'vendor':
      return { projectId: principal.projectId, vendor: principal.vendor };
    default: {
      const unhandled: never = principal.role;
      throw new Error(`unknown role ${String(unhandled)}`);
    }
  }
}

/** Whether a loaded batch is visible to the principal. */
export function canSeeBatch(principal: Principal, batch: { projectId: string; vendor: string | null }): boolean {
  const visibility = batchVisibility(principal);
  return (
    (visibility.projectId === null || visibility.projectId === batch.projectId) &&
    (visibility.vendor === null || visibility.vendor === batch.vendor)
  );
}

/** Throws NOT_FOUND for a missing batch and for one the principal may not see (they look alike). */
export function assertBatchVisible<B extends { id: string; projectId: string; vendor: string | null }>(
  principal: Principal,
  batch: B | null,
  batchId: string,
): asserts batch is B {
  if (!batch || !canSeeBatch(principal, batch)) throw DomainError.notFound('Batch', batchId);
}

/** The helpers as one object, for code that prefers `AccessPolicy.assertProjectAccess(…)`. */
export const AccessPolicy = {
  canSeeProject,
  assertProjectAccess,
  assertRole,
  batchVisibility,
  canSeeBatch,
  assertBatchVisible,
} as const;
