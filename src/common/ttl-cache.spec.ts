import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  it('serves an entry until its time to live has passed, then drops it', () => {
    const cache = new TtlCache<string, number>({ ttlMs: 100, maxEntries: 10 });
    cache.set('a', 1, 1_000);
    expect(cache.get('a', 1_099)).toBe(1);
    expect(cache.get('a', 1_100)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the one stored longest ago', () => {
    const cache = new TtlCache<string, number>({ ttlMs: 1_000, maxEntries: 2 });
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    cache.set('a', 3, 1); // stored again: now the newest
    cache.set('c', 4, 2);
    expect([cache.get('a', 3), cache.get('b', 3), cache.get('c', 3)]).toEqual([3, undefined, 4]);
  });

  it('stores nothing when disabled', () => {
    for (const options of [{ ttlMs: 0, maxEntries: 10 }, { ttlMs: 100, maxEntries: 0 }]) {
      const cache = new TtlCache<string, number>(options);
      cache.set('a', 1);
      expect(cache.enabled).toBe(false);
      expect(cache.get('a')).toBeUndefined();
    }
  });

  it('deletes and clears', () => {
    const cache = new TtlCache<string, number>({ ttlMs: 1_000, maxEntries: 10 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
