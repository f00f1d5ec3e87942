import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'cnc_';
const DISPLAY_PREFIX_LENGTH = 12;

/** A new key: `cnc_` + 32 random bytes, base64url (256 bits: no need for a slow hash). */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** What is stored and looked up: the hex SHA-256 of the whole key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The first characters of a key, stored to tell keys apart without revealing them. */
export function displayPrefixOf(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}
