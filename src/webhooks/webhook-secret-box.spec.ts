import { DomainError } from '../common/domain-error';
import { WebhookSecretBox } from './webhook-secret-box';

const KEY = 'a-test-key-that-is-at-least-32-characters-long';

describe('WebhookSecretBox', () => {
  const box = new WebhookSecretBox(KEY);

  it('seals a secret so that only the same key and webhook id open it', () => {
    const sealed = box.seal('webhook-1', 'whsec_abc');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open('webhook-1', sealed)).toBe('whsec_abc');
    expect(() => box.open('webhook-2', sealed)).toThrow(/cannot be decrypted/);
    const other = new WebhookSecretBox(`${KEY}-other`);
    expect(() => other.open('webhook-1', sealed)).toThrow(/CONCORD_SECRET_KEY changed/);
  });

  it('uses a fresh IV every time', () => {
    expect(box.seal('w', 'whsec_x')).not.toBe(box.seal('w', 'whsec_x'));
  });

  it('refuses a tampered or unknown value', () => {
    const sealed = box.seal('w', 'whsec_x');
    const [version, iv, tag, ciphertext] = sealed.split('.');
    const flipped = Buffer.from(ciphertext!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.open('w', [version, iv, tag, flipped.toString('base64url')].join('.'))).toThrow(/cannot be decrypted/);
    expect(() => box.open('w', 'whsec_plain')).toThrow(/not in a known format/);
  });

  it('without CONCORD_SECRET_KEY, refuses with a 503 domain error naming the variable', () => {
    const keyless = new WebhookSecretBox(null);
    let error: unknown;
    try {
      keyless.seal('w', 'whsec_x');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('CONCORD_SECRET_KEY') });
  });
});
