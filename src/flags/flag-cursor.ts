import { DomainError } from '../common/domain-error';
import { parseFlagSort, type FlagSortKey, type FlagSortParam } from './dto/list-flags.query';
import type { FlagCursor, FlagRow } from './flag.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A flag's value of a sort key as the listing orders it (flag.repository.ts sortExpression): a
 * missing item, modality or dimension is the empty text, a missing start is null (before every
 * start); severity has no key of its own (the rank follows in every order).
 */
export function flagSortValue(flag: Pick<FlagRow, 'item' | 'code' | 'modality' | 'dimension' | 'status' | 'start'>, key: FlagSortKey): string | number | null {
  switch (key) {
    case 'severity':
      return null;
    case 'start':
      return flag.start;
    case 'item':
    case 'modality':
    case 'dimension':
      return flag[key] ?? '';
    case 'code':
    case 'status':
      return flag[key];
  }
}

/**
 * Listing cursors: the sort they page and the (sort key value, severity_rank, id) of a page's last
 * flag, base64url-encoded JSON.
 */
export function encodeFlagCursor(sort: FlagSortParam, flag: Pick<FlagRow, 'severityRank' | 'id' | 'item' | 'code' | 'modality' | 'dimension' | 'status' | 'start'>): string {
  const value = flagSortValue(flag, parseFlagSort(sort).key);
  return Buffer.from(JSON.stringify([sort, value, flag.severityRank, flag.id])).toString('base64url');
}

/** The keyset position of `cursor`, which must come from a page of the same `sort` (422 otherwise). */
export function decodeFlagCursor(cursor: string, sort: FlagSortParam = 'severity'): FlagCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  // Cursors written before `sort` existed: [rank, id] of the default order.
  if (Array.isArray(value) && value.length === 2 && sort === 'severity') value = ['severity', null, ...value];
  if (Array.isArray(value) && value.length === 4 && typeof value[0] === 'string' && value[0] !== sort) {
    throw DomainError.invalidInput('The cursor pages another sort.', [{ path: 'cursor', message: `was returned for sort=${value[0]}, not sort=${sort}` }]);
  }
  if (
    Array.isArray(value) && value.length === 4 && value[0] === sort && validKey(parseFlagSort(sort).key, value[1]) &&
    Number.isInteger(value[2]) && value[2] >= 0 && value[2] <= 2 && typeof value[3] === 'string' && UUID.test(value[3])
  ) {
    return { key: value[1] as string | number | null, rank: value[2] as number, id: value[3] };
  }
  throw DomainError.invalidInput('The cursor is invalid.', [{ path: 'cursor', message: 'is not a cursor this API returned' }]);
}

function validKey(key: FlagSortKey, value: unknown): boolean {
  if (key === 'severity') return value === null;
  if (key === 'start') return value === null || (typeof value === 'number' && Number.isFinite(value));
  return typeof value === 'string';
}
