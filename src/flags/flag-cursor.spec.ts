import { DomainError } from '../common/domain-error';
import { decodeFlagCursor, encodeFlagCursor } from './flag-cursor';

const ID = '6f1c2c1e-9d1b-4b0a-8a55-0a3c4b5d6e7f';

describe('flag listing cursors', () => {
  it('round-trip the (severity rank, id) of a page\'s last flag', () => {
    for (const rank of [0, 1, 2]) expect(decodeFlagCursor(encodeFlagCursor({ severityRank: rank, id: ID }))).toEqual({ rank, id: ID });
  });

  it('refuse anything this API did not write (422 on the cursor)', () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of ['', 'not base64 json', forged([3, ID]), forged([0.5, ID]), forged([0, 'x']), forged({ rank: 0, id: ID }), forged([0, ID, 1])]) {
      let error: unknown;
      try {
        decodeFlagCursor(cursor);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('INVALID_INPUT');
    }
  });
});
