/**
 * Encryption at rest of the learner identifiers CPE Monitor needs (NABP e-Profile id, birth month and day):
 * AES-256-GCM under a key derived (HKDF-SHA256) from the app secret, the row's platform and sub bound in as
 * associated data so a ciphertext copied onto another learner's row does not decrypt. Never logged.
 */
import crypto from 'node:crypto';
import type { ProtectedIds } from './model';

const VERSION = 'v1';

export class PiiCipher {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(crypto.hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('accrue'), Buffer.from('learner-pii:v1'), 32));
  }

  encrypt(value: ProtectedIds, owner: { platformId: string; sub: string }): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`${owner.platformId}\n${owner.sub}`));
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url')}`;
  }

  /** Throws when the value was tampered with, belongs to another learner or was made under another secret. */
  decrypt(stored: string, owner: { platformId: string; sub: string }): ProtectedIds {
    const [version, body] = stored.split('.');
    if (version !== VERSION || !body) throw new Error('unknown protected-value format');
    const raw = Buffer.from(body, 'base64url');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${owner.platformId}\n${owner.sub}`));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as ProtectedIds;
  }
}
