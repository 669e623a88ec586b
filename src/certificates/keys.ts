/**
 * The provider's signing keys for credentials: Ed25519 (JOSE alg EdDSA), stored with the private half encrypted
 * (AES-256-GCM, key derived from the application secret with HKDF, the key id bound as associated data). Rotation
 * adds a key and retires the others: the newest signs, every key that is not revoked stays published, so a
 * credential signed before a rotation still verifies (OB 3.0 8.2 "Dereferencing the public key").
 */
import crypto from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Db, Queryable } from '../db';
import { UnavailableError } from '../errors';
import { keyStore, type KeyRow } from './store';

export const SIGNING_ALG = 'EdDSA';
/** How long a process trusts its idea of the newest key; a rotation by the CLI reaches running servers within it. */
const REFRESH_MS = 30_000;

export interface PublishedKey extends JWK {
  kid: string;
  alg: string;
  use: 'sig';
}

export interface KeyInfo {
  kid: string;
  createdAt: Date;
  retiredAt: Date | null;
  revokedAt: Date | null;
  signing: boolean;
}

function deriveKey(secret: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', secret, 'accrue', 'certificate signing keys v1', 32));
}

function encrypt(key: Buffer, kid: string, plain: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(kid));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

function decrypt(key: Buffer, kid: string, sealed: string): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || !data) throw new Error(`signing key ${kid}: unknown encryption format`);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new UnavailableError(`The signing key ${kid} cannot be decrypted: ACCRUE_SECRET is not the secret it was stored under.`, 'SIGNING_KEY_LOCKED');
  }
}

/** A new key id: the date and random letters, e.g. "2026-03-01-k7q4mw". */
function newKid(): string {
  return `${new Date().toISOString().slice(0, 10)}-${crypto.randomBytes(6).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
}

export class KeyRing {
  private readonly key: Buffer;
  private signer?: { kid: string; privateKey: CryptoKey; checkedAt: number };

  constructor(private readonly db: Db, secret: string, private readonly keyUrl: (kid: string) => string) {
    this.key = deriveKey(secret);
  }

  /** Makes sure one key signs (the first start of a database creates it). */
  async ensureSigningKey(): Promise<void> {
    await this.db.tx(async (q) => {
      await keyStore.lock(q);
      if (!(await keyStore.newestActiveKid(q))) await this.create(q);
    });
    this.signer = undefined;
  }

  /** Adds a key that signs from now on and retires the others (still published). Returns the new key id. */
  async rotate(): Promise<string> {
    const kid = await this.db.tx(async (q) => {
      await keyStore.lock(q);
      const created = await this.create(q);
      await keyStore.retireAllBut(q, created);
      return created;
    });
    this.signer = undefined;
    return kid;
  }

  /**
   * Withdraws a key: it is no longer published, so what it signed stops verifying (a compromised key). When it was
   * the signing key, a new one takes its place at once, so issuing never stops.
   */
  async revoke(kid: string): Promise<{ revoked: boolean; replacement?: string }> {
    const result = await this.db.tx(async (q) => {
      await keyStore.lock(q);
      if (!(await keyStore.revoke(q, kid))) return { revoked: false };
      if (await keyStore.newestActiveKid(q)) return { revoked: true };
      return { revoked: true, replacement: await this.create(q) };
    });
    this.signer = undefined;
    return result;
  }

  async list(): Promise<KeyInfo[]> {
    const rows = await keyStore.all(this.db);
    const signing = await keyStore.newestActiveKid(this.db);
    return rows.map((r) => ({ kid: r.kid, createdAt: r.created_at, retiredAt: r.retired_at, revokedAt: r.revoked_at, signing: r.kid === signing }));
  }

  /** The JWKS: every key that is not revoked, each with `kid` = the URL it is published at. */
  async published(): Promise<PublishedKey[]> {
    return (await keyStore.published(this.db)).map((r) => this.publicJwk(r));
  }

  async publishedOne(kid: string): Promise<PublishedKey | undefined> {
    const row = await keyStore.get(this.db, kid);
    return row && !row.revoked_at ? this.publicJwk(row) : undefined;
  }

  /**
   * Signs a JWT payload with the newest key, as OB 3.0 8.2 asks: header {alg, kid, typ: "JWT"}, kid the key's URL.
   * `q` is the caller's connection (issuing runs inside the caller's transaction).
   */
  async sign(q: Queryable, payload: Record<string, unknown>): Promise<{ kid: string; jwt: string }> {
    const signer = await this.currentSigner(q);
    const jwt = await new SignJWT(payload).setProtectedHeader({ alg: SIGNING_ALG, kid: this.keyUrl(signer.kid), typ: 'JWT' }).sign(signer.privateKey);
    return { kid: signer.kid, jwt };
  }

  private async currentSigner(q: Queryable) {
    const now = Date.now();
    if (this.signer && now - this.signer.checkedAt < REFRESH_MS) return this.signer;
    const kid = await keyStore.newestActiveKid(q);
    if (!kid) throw new UnavailableError('No key can sign credentials; run `npm run accrue -- keys rotate`.', 'NO_SIGNING_KEY');
    if (this.signer?.kid === kid) {
      this.signer.checkedAt = now;
      return this.signer;
    }
    const row = (await keyStore.get(q, kid))!;
    const privateKey = (await importJWK(JSON.parse(decrypt(this.key, kid, row.private_jwk_enc)) as JWK, SIGNING_ALG)) as CryptoKey;
    this.signer = { kid, privateKey, checkedAt: now };
    return this.signer;
  }

  private async create(q: Queryable): Promise<string> {
    const kid = newKid();
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    await keyStore.insert(q, { kid, alg: SIGNING_ALG, publicJwk, privateJwkEnc: encrypt(this.key, kid, JSON.stringify(privateJwk)) });
    return kid;
  }

  private publicJwk(row: Pick<KeyRow, 'kid' | 'alg' | 'public_jwk'>): PublishedKey {
    const { kty, crv, x } = row.public_jwk as JWK;
    return { kty, crv, x, kid: this.keyUrl(row.kid), alg: row.alg, use: 'sig' };
  }
}
