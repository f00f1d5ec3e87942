import { displayPrefixOf, generateApiKey, hashApiKey } from './api-key.codec';

describe('api key codec', () => {
  it('generates cnc_ + 32 random bytes in base64url, different each time', () => {
    const keys = new Set(Array.from({ length: 50 }, generateApiKey));
    expect(keys.size).toBe(50);
    for (const key of keys) {
      expect(key).toMatch(/^cnc_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
    }
  });

  it('hashes with SHA-256 in hex (FIPS 180-2 test vector "abc")', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('keeps the first 12 characters for display', () => {
    expect(displayPrefixOf('cnc_abcdefghijklmnop')).toBe('cnc_abcdefgh');
  });
});
