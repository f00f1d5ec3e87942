import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../common/domain-error';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Signing secrets at rest. The signer needs the secret itself (HMAC), so it cannot be hashed like
 * an API key; it is sealed with AES-256-GCM under a key derived from CONCORD_SECRET_KEY (SHA-256
 * of the variable) and the webhook's id as additional data, so a database dump or backup alone
 * does not let anyone forge deliveries, and a sealed secret copied onto another webhook's row does
 * not open. Stored as `v1.<iv>.<tag>.<ciphertext>` (base64url). Without CONCORD_SECRET_KEY no
 * webhook can be created (503 naming the variable); changing the key makes existing secrets
 * unreadable (deliveries record the error and retry), so rotate each webhook's secret after a change.
 * (Provided by WebhookCoreModule from AppConfig.secretKey.)
 */
export class WebhookSecretBox {
  private readonly key: Buffer | null;

  constructor(secretKey: string | null) {
    this.key = secretKey === null ? null : createHash('sha256').update(secretKey, 'utf8').digest();
  }

  seal(webhookId: string, secret: string): string {
    const key = this.requireKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(webhookId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  open(webhookId: string, sealed: string): string {
    const key = this.requireKey();
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new Error('the stored webhook secret is not in a known format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(webhookId, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new Error('the webhook secret cannot be decrypted: was CONCORD_SECRET_KEY changed? Rotate the secret.', { cause });
    }
  }

  private requireKey(): Buffer {
    if (this.key === null) {
      throw new DomainError('SERVICE_UNAVAILABLE', 'Webhooks need CONCORD_SECRET_KEY (32+ characters) to encrypt their signing secrets; it is not set.');
    }
    return this.key;
  }
}
