import { DomainError } from '../common/domain-error';
import type { BatchRow } from './batch.repository';

/**
 * Listing cursors: the (created_at, id) of a page's last batch, base64url-encoded. created_at is
 * kept as PostgreSQL prints it (microseconds), so the keyset comparison is exact.
 */
export interface Cursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(batch: Pick<BatchRow, 'createdAtKey' | 'id'>): string {
  return Buffer.from(JSON.stringify([batch.createdAtKey, batch.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' &&
      !Number.isNaN(Date.parse(value[0])) && /^[0-9a-f-]{36}$/i.test(value[1])
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  throw DomainError.invalidInput('The cursor is invalid.', [{ path: 'cursor', message: 'is not a cursor this API returned' }]);
}
