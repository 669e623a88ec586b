/**
 * LRS credentials: HTTP Basic key/secret pairs with xAPI scopes (1.0.3 Part 3 §4.2 "OAuth Scope"; 2.0.0 §4.1.7
 * leaves the scheme to the LRS). Secrets are stored as scrypt(secret, 16-byte salt) and compared in constant time.
 * A verified Authorization header is cached for CACHE_MS, keyed by its SHA-256, so the hot path costs one hash;
 * revoking through this service drops the cache at once (other processes see it within CACHE_MS).
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { AuthError, ConflictError, ValidationError } from '../errors';
import type { JsonObject } from './model';
import { CredentialStore } from './store-credentials';

export const SCOPES = ['all', 'all/read', 'statements/write', 'statements/read', 'statements/read/mine', 'state', 'define', 'profile'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Credential {
  key: string;
  name: string;
  scopes: Scope[];
  /** The Agent set as `authority` on statements this credential stores. */
  authority: JsonObject;
  /** Limits beyond the scopes (a launch credential: one learner, one activity, an expiry; see launch/). */
  limits?: CredentialLimits;
}

/** What a restricted credential may do, checked after its scopes. Each check throws ForbiddenError (403). */
export interface CredentialLimits {
  /** Epoch ms after which the credential no longer authenticates. */
  expiresAt: number;
  /** Query parameters (name and exact value) dropped from its requests before they are read (a launch's content). */
  ignoredParams?: readonly (readonly [string, string])[];
  /** Checks validated statements before they are stored. */
  statements(list: JsonObject[]): void;
  /** Checks a request to a resource other than the statements write path (documents, reads). */
  request(req: { method: string; path: string; params: Map<string, string> }): void;
}

/** Finds a credential that is not a Basic key/secret pair of lrs_credential (launch credentials); undefined if none. */
export type Authenticator = (key: string, secret: string) => Promise<Credential | undefined>;

export interface CredentialInfo {
  key: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt: string | null;
}

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;
const N = 16384, R = 8, P = 1, LEN = 32;
const CACHE_MS = 60_000;
const CACHE_MAX = 10_000;

export async function hashSecret(secret: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(secret, salt, LEN, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function checkSecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return crypto.timingSafeEqual(actual, expected);
}

export class CredentialService {
  private readonly store: CredentialStore;
  private readonly cache = new Map<string, { credential: Credential; expires: number }>();
  private readonly authenticators: Authenticator[] = [];

  constructor(options: { store: CredentialStore; publicUrl: string }) {
    this.store = options.store;
    this.homePage = options.publicUrl;
  }

  private readonly homePage: string;

  private toCredential(row: { key: string; name: string; scopes: string[] }): Credential {
    return {
      key: row.key, name: row.name, scopes: row.scopes as Scope[],
      authority: { objectType: 'Agent', name: row.name, account: { homePage: this.homePage, name: row.key } },
    };
  }

  /**
   * Creates a credential. The key and secret are generated when not given; the secret is returned only here.
   * Throws 400 for an unknown scope or a weak secret, 409 for a key in use.
   */
  async add(options: { key?: string; secret?: string; scopes: string[]; name: string }): Promise<CredentialInfo & { secret: string }> {
    const key = options.key ?? crypto.randomBytes(12).toString('base64url');
    const secret = options.secret ?? crypto.randomBytes(24).toString('base64url');
    if (!/^[\w.~-]{3,128}$/.test(key)) throw new ValidationError('A credential key is 3-128 letters, digits, ".", "_", "~" or "-".');
    if (secret.length < 8 || secret.includes('\n')) throw new ValidationError('A credential secret has at least 8 characters.');
    const bad = options.scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (bad.length || options.scopes.length === 0) throw new ValidationError(`Scopes must be among ${SCOPES.join(', ')}.`);
    if (await this.store.find(key)) throw new ConflictError(`A credential with key ${key} already exists.`);
    const row = await this.store.insert({ key, name: options.name || key, secretHash: await hashSecret(secret), scopes: [...new Set(options.scopes)] });
    return { ...info(row), secret };
  }

  /** Adds a source of credentials, tried when a key is not in lrs_credential. */
  addAuthenticator(fn: Authenticator): void {
    this.authenticators.push(fn);
  }

  async list(): Promise<CredentialInfo[]> {
    return (await this.store.list()).map(info);
  }

  async revoke(key: string): Promise<boolean> {
    const done = await this.store.revoke(key);
    for (const [h, entry] of this.cache) if (entry.credential.key === key) this.cache.delete(h);
    return done;
  }

  /** The credential of a Basic Authorization header; throws 401 when missing, malformed, unknown or revoked. */
  async authenticate(header: string | undefined): Promise<Credential> {
    if (!header) throw new AuthError('This LRS requires HTTP Basic authentication.', 'XAPI_UNAUTHENTICATED');
    const cacheKey = crypto.createHash('sha256').update(header).digest('base64');
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expires > Date.now()) return hit.credential;
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const wrong = () => new AuthError('The LRS credentials are not valid.', 'XAPI_BAD_CREDENTIALS');
    if (colon <= 0) throw wrong();
    const row = await this.store.find(decoded.slice(0, colon));
    if (!row) {
      for (const find of this.authenticators) {
        const found = await find(decoded.slice(0, colon), decoded.slice(colon + 1));
        if (!found) continue;
        if (this.cache.size >= CACHE_MAX) this.cache.clear();
        this.cache.set(cacheKey, { credential: found, expires: Math.min(Date.now() + CACHE_MS, found.limits?.expiresAt ?? Infinity) });
        return found;
      }
    }
    if (!row || row.revokedAt) {
      await hashSecret(decoded.slice(colon + 1)); // same cost as a real check: no timing oracle for key existence
      throw wrong();
    }
    if (!(await checkSecret(decoded.slice(colon + 1), row.secretHash))) throw wrong();
    const credential = this.toCredential(row);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(cacheKey, { credential, expires: Date.now() + CACHE_MS });
    return credential;
  }
}

function info(row: { key: string; name: string; scopes: string[]; createdAt: Date; revokedAt: Date | null }): CredentialInfo {
  return { key: row.key, name: row.name, scopes: row.scopes as Scope[], createdAt: row.createdAt.toISOString(), revokedAt: row.revokedAt?.toISOString() ?? null };
}
