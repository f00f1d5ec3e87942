import { DomainError } from '../common/domain-error';
import { FLAG_SORTS, type FlagSortParam } from './dto/list-flags.query';
import { decodeFlagCursor, encodeFlagCursor } from './flag-cursor';

const ID = '6f1c2c1e-9d1b-4b0a-8a55-0a3c4b5d6e7f';
const FLAG = { severityRank: 1, id: ID, item: 'clip-7', code: 'NO_MAJORITY' as const, modality: null, dimension: 'sentiment', status: 'open' as const, start: 2.5 };

function rejects(cursor: string, sort: FlagSortParam = 'severity'): DomainError {
  let error: unknown;
  try {
    decodeFlagCursor(cursor, sort);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('INVALID_INPUT');
  return error as DomainError;
}

describe('flag listing cursors', () => {
  it('round-trip the (severity rank, id) of a page\'s last flag in the default order', () => {
    for (const rank of [0, 1, 2]) expect(decodeFlagCursor(encodeFlagCursor('severity', { ...FLAG, severityRank: rank }), 'severity')).toEqual({ key: null, rank, id: ID });
  });

  it('carry the sort key value (a missing text as \'\', a missing start as null) for every sort and direction', () => {
    const expected: Record<string, string | number | null> = { severity: null, item: 'clip-7', code: 'NO_MAJORITY', modality: '', dimension: 'sentiment', status: 'open', start: 2.5 };
    for (const sort of FLAG_SORTS) {
      const key = sort.replace(/^-/, '');
      expect(decodeFlagCursor(encodeFlagCursor(sort, FLAG), sort)).toEqual({ key: expected[key], rank: 1, id: ID });
    }
    expect(decodeFlagCursor(encodeFlagCursor('-start', { ...FLAG, start: null }), '-start')).toEqual({ key: null, rank: 1, id: ID });
  });

  it('still read the [rank, id] cursors of the default order written before sorts', () => {
    const legacy = Buffer.from(JSON.stringify([2, ID])).toString('base64url');
    expect(decodeFlagCursor(legacy, 'severity')).toEqual({ key: null, rank: 2, id: ID });
    rejects(legacy, 'item');
  });

  it('refuse a cursor of another sort or direction (422 on the cursor)', () => {
    expect(rejects(encodeFlagCursor('item', FLAG), '-item').message).toMatch(/another sort/);
    rejects(encodeFlagCursor('item', FLAG), 'code');
    rejects(encodeFlagCursor('severity', FLAG), 'start');
  });

  it('refuse anything this API did not write (422 on the cursor)', () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of ['', 'not base64 json', forged([3, ID]), forged([0.5, ID]), forged([0, 'x']), forged({ rank: 0, id: ID }), forged([0, ID, 1]),
      forged(['severity', 'x', 0, ID]), forged(['severity', null, 3, ID]), forged(['severity', null, 0, 'x']), forged(['severity', null, 0, ID, 1])]) {
      rejects(cursor);
    }
    rejects(forged(['item', null, 0, ID]), 'item');
    rejects(forged(['item', 3, 0, ID]), 'item');
    rejects(forged(['start', 'x', 0, ID]), 'start');
  });
});
