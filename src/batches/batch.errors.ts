import { DomainError } from '../common/domain-error';
import type { InputError } from '../ingest/ingest.errors';

/** A batch that does not exist or that the caller may not see: the two look alike (no id leaks). */
export function batchNotFound(id: string): DomainError {
  return DomainError.notFound('Batch', id);
}

/**
 * 422 listing every problem of an upload with its line (and field, or JSON path), as the reader
 * and the dataset checks found them: at most 100, plus the count of the rest in `moreErrors`.
 */
export function invalidUpload(error: InputError): DomainError {
  const total = error.issues.length + error.omitted;
  return DomainError.invalidInput(
    `The upload is invalid: ${total} error${total === 1 ? '' : 's'}. Nothing was stored.`,
    error.issues.map((issue) => ({
      ...(issue.file === undefined ? {} : { file: issue.file }),
      ...(issue.line === undefined ? {} : { line: issue.line }),
      ...(issue.path === undefined ? {} : { path: issue.path }),
      ...(issue.field === undefined ? {} : { field: issue.field }),
      message: issue.message,
    })),
    error.omitted > 0 ? error.omitted : undefined,
  );
}

/**
 * `?replaces=` names no batch of this project that the caller may see: 422 on the parameter (the
 * same answer for a missing batch and for another vendor's, so no id leaks).
 */
export function replacedBatchNotFound(id: string): DomainError {
  return DomainError.invalidInput(`The batch to replace (${id}) is not a batch of this project that this key can see.`, [
    { path: 'replaces', message: 'must be the id of an earlier batch of this project (for a vendor key: one of its own)' },
  ]);
}

/** A re-delivery of a batch comes from that batch's vendor. */
export function replacedBatchOtherVendor(vendor: string | null): DomainError {
  return DomainError.invalidInput('A re-delivery must come from the vendor of the batch it replaces.', [
    { path: 'vendor', message: vendor === null ? 'must be omitted: the replaced batch has no vendor' : `must be "${vendor}", the vendor of the replaced batch` },
  ]);
}

/** A vendor key names its own vendor implicitly; naming another one is refused. */
export function vendorNotOwn(): DomainError {
  return DomainError.invalidInput('A vendor key uploads as its own vendor.', [
    { path: 'vendor', message: 'must be omitted or equal to the key\'s own vendor' },
  ]);
}

/**
 * The project already holds this very file, as a batch the caller may not see (another vendor's):
 * say so without naming it.
 */
export function duplicateInOtherScope(): DomainError {
  return new DomainError('CONFLICT', 'This file has already been uploaded to the project by another vendor.');
}

/** The batch was stored but its jobs could not be queued (Redis unavailable): it is marked failed. */
export function enqueueFailed(cause: unknown): DomainError {
  return new DomainError('SERVICE_UNAVAILABLE', 'The batch was stored but its jobs could not be queued; it is marked failed. Try again later.', { cause });
}
