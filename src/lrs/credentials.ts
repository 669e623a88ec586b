/**
 * LRS credentials: HTTP Basic key/secret pairs with xAPI scopes (1.0.3 Part 3 §4.2 "OAuth Scope"; 2.0.0 §4.1.7
 * leaves the scheme to the LRS). Secrets are stored as scrypt(secret, 16-byte salt) and compared in constant time.
 *
 * Cache and revocation: a verified Authorization header is cached (keyed by its SHA-256) for at most HARD_CACHE_MS, so
 * the hot path costs no hash. The cached verdict is trusted for `cacheMs` (LRS_CREDENTIAL_CACHE_SECONDS, 5 s by
 * default); after that the next request re-reads the credential by its primary key (still there, not revoked, same
 * secret hash) before it is used: one indexed lookup, no scrypt. So a revocation made by any process (the CLI,
 * another instance) is honoured everywhere within `cacheMs`; revoking through this service drops this process's
 * cache at once. Polling rather than LISTEN/NOTIFY: it works the same on embedded PGlite and on a server, and needs
 * no dedicated connection per process.
 *
 * Throttling: every full verification (a header not in the cache) first counts as a failure for its key + client
 * address and for the client address alone, and is given back when it succeeds. Past either limit the answer is 429
 * with Retry-After (xAPI 2.0.0 §4.1.5 and 1.0.3 Part 3 §3.2: 429 for too many requests from a system or set of
 * credentials; the rate limit is the LRS's to choose), before any hash or
 * lookup, whether the key exists or not, so the limit neither leaks key existence nor lets a client buy scrypt work.
 * An unknown or revoked key costs one scrypt like a wrong secret does (no timing oracle for key existence).
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { AuthError, ConflictError, TooManyRequestsError, ValidationError } from '../errors';
import { RateLimiter } from '../web/rate-limit';
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
/** Longest a verified header is kept (revalidated every `cacheMs` meanwhile); then it is verified with scrypt again. */
const HARD_CACHE_MS = 60_000;
const CACHE_MAX = 10_000;

export interface CredentialServiceOptions {
  store: CredentialStore;
  publicUrl: string;
  /** How long a cached verification is trusted before the credential's revocation is re-read (ms; 0 = every request). */
  cacheMs?: number;
  /** Failed logins allowed per key + client address, and per client address, within windowMs. */
  throttle?: { keyLimit: number; clientLimit: number; windowMs: number };
}

interface CacheEntry {
  credential: Credential;
  expires: number;
  checkedAt: number;
  /** Whether the credential still stands as verified (not revoked, same secret): a cheap read, no hash. */
  recheck: () => Promise<boolean>;
  pending?: Promise<boolean>;
}

const DEFAULT_THROTTLE = { keyLimit: 10, clientLimit: 100, windowMs: 15 * 60_000 };
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('base64url');

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
  private readonly cache = new Map<string, CacheEntry>();
  private readonly authenticators: Authenticator[] = [];
  private readonly cacheMs: number;
  private readonly byKeyAndClient: RateLimiter;
  private readonly byClient: RateLimiter;

  constructor(options: CredentialServiceOptions) {
    this.store = options.store;
    this.homePage = options.publicUrl;
    this.cacheMs = Math.min(options.cacheMs ?? 5_000, HARD_CACHE_MS);
    const t = options.throttle ?? DEFAULT_THROTTLE;
    this.byKeyAndClient = new RateLimiter({ limit: t.keyLimit, windowMs: t.windowMs });
    this.byClient = new RateLimiter({ limit: t.clientLimit, windowMs: t.windowMs });
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

  /**
   * The credential of a Basic Authorization header; throws 401 when missing, malformed, unknown or revoked, and 429
   * when `client` (the caller's address) has failed too often, for this key or at all.
   */
  async authenticate(header: string | undefined, client = 'unknown'): Promise<Credential> {
    if (!header) throw new AuthError('This LRS requires HTTP Basic authentication.', 'XAPI_UNAUTHENTICATED');
    const cacheKey = sha256(header);
    const hit = this.cache.get(cacheKey);
    if (hit) {
      const now = Date.now();
      if (hit.expires > now && (now - hit.checkedAt < this.cacheMs || (await this.stillValid(hit)))) return hit.credential;
      if (this.cache.get(cacheKey) === hit) this.cache.delete(cacheKey);
    }
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const key = colon > 0 ? decoded.slice(0, colon) : '';
    const secret = decoded.slice(colon + 1);
    const throttleKey = `${sha256(key)}\n${client}`;
    this.countAttempt(throttleKey, client);
    const found = colon > 0 ? await this.verify(key, secret) : undefined;
    if (!found) throw new AuthError('The LRS credentials are not valid.', 'XAPI_BAD_CREDENTIALS');
    this.byKeyAndClient.undo(throttleKey);
    this.byClient.undo(client);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    const now = Date.now();
    this.cache.set(cacheKey, {
      credential: found.credential, checkedAt: now, recheck: found.recheck,
      expires: Math.min(now + HARD_CACHE_MS, found.credential.limits?.expiresAt ?? Infinity),
    });
    return found.credential;
  }

  /** Counts a verification as a failure until it succeeds; refuses it (429) past either limit, before any work. */
  private countAttempt(throttleKey: string, client: string): void {
    const pair = this.byKeyAndClient.check(throttleKey);
    const alone = this.byClient.check(client);
    if (!pair.allowed || !alone.allowed) {
      const wait = Math.max(pair.retryAfterSeconds, alone.retryAfterSeconds);
      throw new TooManyRequestsError(`Too many failed logins. Try again in ${wait} seconds.`, wait, 'XAPI_TOO_MANY_FAILURES');
    }
    this.byKeyAndClient.hit(throttleKey);
    this.byClient.hit(client);
  }

  /** Checks key and secret against lrs_credential, then the other authenticators; always one scrypt for a Basic key. */
  private async verify(key: string, secret: string): Promise<{ credential: Credential; recheck: () => Promise<boolean> } | undefined> {
    const row = await this.store.find(key);
    if (!row) {
      for (const find of this.authenticators) {
        const credential = await find(key, secret);
        if (credential) return { credential, recheck: async () => (await find(key, secret)) !== undefined };
      }
    }
    if (!row || row.revokedAt) {
      await hashSecret(secret); // same cost as a real check: no timing oracle for key existence
      return undefined;
    }
    if (!(await checkSecret(secret, row.secretHash))) return undefined;
    const secretHash = row.secretHash;
    return { credential: this.toCredential(row), recheck: () => this.store.isLive(key, secretHash) };
  }

  /** Re-reads a cached credential's standing; concurrent requests share one read. */
  private async stillValid(entry: CacheEntry): Promise<boolean> {
    entry.pending ??= entry.recheck().then(
      (live) => {
        if (live) entry.checkedAt = Date.now();
        return live;
      },
      () => false,
    ).finally(() => {
      entry.pending = undefined;
    });
    return entry.pending;
  }
}

function info(row: { key: string; name: string; scopes: string[]; createdAt: Date; revokedAt: Date | null }): CredentialInfo {
  return { key: row.key, name: row.name, scopes: row.scopes as Scope[], createdAt: row.createdAt.toISOString(), revokedAt: row.revokedAt?.toISOString() ?? null };
}
