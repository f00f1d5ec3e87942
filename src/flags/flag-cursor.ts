import { DomainError } from '../common/domain-error';
import type { FlagCursor, FlagRow } from './flag.repository';

/** Listing cursors: the (severity_rank, id) of a page's last flag, base64url-encoded. */
export function encodeFlagCursor(flag: Pick<FlagRow, 'severityRank' | 'id'>): string {
  return Buffer.from(JSON.stringify([flag.severityRank, flag.id])).toString('base64url');
}

export function decodeFlagCursor(cursor: string): FlagCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) && value.length === 2 && Number.isInteger(value[0]) && value[0] >= 0 && value[0] <= 2 &&
      typeof value[1] === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value[1])
    ) {
      return { rank: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through
  }
  throw DomainError.invalidInput('The cursor is invalid.', [{ path: 'cursor', message: 'is not a cursor this API returned' }]);
}
