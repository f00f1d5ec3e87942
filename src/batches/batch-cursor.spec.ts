import { DomainError } from '../common/domain-error';
import { decodeCursor, encodeCursor } from './batch-cursor';

describe('listing cursors', () => {
  const batch = { createdAtKey: '2026-11-26 23:33:27.095123+00', id: '3c943879-1f5e-428a-b498-6e9afae10528' };

  it('round-trip the exact created_at and id', () => {
    expect(decodeCursor(encodeCursor(batch))).toEqual({ createdAt: batch.createdAtKey, id: batch.id });
    expect(encodeCursor(batch)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each(['', 'bm9wZQ', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["yesterday","x"]').toString('base64url'), '%%%'])(
    'refuse %j with 422 on path cursor',
    (cursor) => {
      expect.assertions(3);
      try {
        decodeCursor(cursor);
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe('INVALID_INPUT');
        expect((error as DomainError).errors?.[0]?.path).toBe('cursor');
      }
    },
  );
});
