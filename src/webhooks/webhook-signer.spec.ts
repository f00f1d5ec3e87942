import { createHmac } from 'node:crypto';
import { generateWebhookSecret, signWebhook, webhookSignatureHeader, WEBHOOK_SECRET_PREFIX } from './webhook-signer';

describe('signWebhook (Standard Webhooks v1)', () => {
  it('matches the example signature of the Standard Webhooks libraries', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('signs `${id}.${timestamp}.${body}` with the base64-decoded key after whsec_', () => {
    const key = Buffer.alloc(32, 7);
    const secret = `whsec_${key.toString('base64')}`;
    const body = '{"type":"batch.passed","timestamp":"2026-11-27T00:00:00.000Z","data":{"é":1}}';
    const expected = createHmac('sha256', key).update(`evt-1.1764201600.${body}`).digest('base64');
    expect(signWebhook(secret, 'evt-1', 1764201600, body)).toBe(`v1,${expected}`);
  });

  it('changes with any of id, timestamp and body', () => {
    const secret = generateWebhookSecret();
    const base = signWebhook(secret, 'a', 1, '{}');
    expect(signWebhook(secret, 'b', 1, '{}')).not.toBe(base);
    expect(signWebhook(secret, 'a', 2, '{}')).not.toBe(base);
    expect(signWebhook(secret, 'a', 1, '{ }')).not.toBe(base);
  });

  it('refuses a secret without the whsec_ prefix', () => {
    expect(() => signWebhook('not-a-secret', 'a', 1, '{}')).toThrow(/whsec_/);
  });
});

describe('generateWebhookSecret', () => {
  it('is whsec_ + base64 of 32 random bytes, different every time', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a.startsWith(WEBHOOK_SECRET_PREFIX)).toBe(true);
    expect(Buffer.from(a.slice(WEBHOOK_SECRET_PREFIX.length), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });
});

describe('webhookSignatureHeader', () => {
  it('lists one space-separated v1 signature per secret (rotation grace period)', () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    expect(webhookSignatureHeader([current, previous], 'id', 5, 'x')).toBe(`${signWebhook(current, 'id', 5, 'x')} ${signWebhook(previous, 'id', 5, 'x')}`);
    expect(webhookSignatureHeader([current], 'id', 5, 'x')).toBe(signWebhook(current, 'id', 5, 'x'));
  });
});
