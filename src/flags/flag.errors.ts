import { DomainError } from '../common/domain-error';

/** A flag that does not exist or whose batch the caller may not see: the two look alike (no id leaks). */
export function flagNotFound(id: string): DomainError {
  return DomainError.notFound('Flag', id);
}

/** A vendor sees its own batches' flags but does not review them. */
export function reviewForbidden(): DomainError {
  return new DomainError('FORBIDDEN', 'Flags are reviewed by the project\'s qa_lead or an admin.');
}

export function evaluationForbidden(): DomainError {
  return new DomainError('FORBIDDEN', 'A re-evaluation is requested by the project\'s qa_lead or an admin.');
}

/** Only a completed batch is (re-)evaluated; its jobs, or a re-evaluation, are still running. */
export function evaluationConflict(reason: 'not-completed' | 'evaluating', status: string | undefined): DomainError {
  return new DomainError(
    'CONFLICT',
    reason === 'evaluating'
      ? 'The batch is being evaluated already; its verdict is pending until that finishes.'
      : `The batch is ${status ?? 'not completed'}: only a completed batch can be evaluated again.`,
  );
}
