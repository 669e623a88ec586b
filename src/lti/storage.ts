/**
 * ltijs storage plugin on the project's PostgreSQL (server or PGlite): the seven-method contract
 * (setup, Close, Get, Insert, Replace, Modify, Delete). Unique keys are unique indexes (see migration 001), expiring
 * collections get an expires_at that every read respects and a sweep removes, and encrypted collections keep only
 * their index fields in clear, the rest AES-256-GCM under a key derived from the application secret.
 */
import crypto from 'node:crypto';
import type { Db } from '../db';

type Doc = Record<string, unknown>;

/** Lifetimes in seconds, as ltijs's own schemas define them. */
export const TTL_SECONDS: Record<string, number> = {
  accesstoken: 3600,
  idtoken: 24 * 3600,
  contexttoken: 24 * 3600,
  nonce: 10,
  state: 600,
};

/** The key fields of each collection; an insert first clears an expired row holding the same key. */
const KEYS: Record<string, string[]> = {
  platform: ['platformUrl', 'clientId'],
  platformStatus: ['id'],
  publickey: ['kid'],
  privatekey: ['kid'],
  accesstoken: ['platformUrl', 'clientId', 'scopes'],
  idtoken: ['iss', 'clientId', 'deploymentId', 'user'],
  contexttoken: ['contextId', 'user'],
  nonce: ['nonce'],
  state: ['state'],
};

export class PostgresLtijsStorage {
  private readonly key: Buffer;
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly db: Db, secret: string) {
    this.key = crypto.createHash('sha256').update(`ltijs-storage:${secret}`).digest();
  }

  async setup(): Promise<boolean> {
    await this.db.query('SELECT 1 FROM ltijs_document LIMIT 1'); // schema comes from our migrations
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), 60_000);
    this.sweeper.unref();
    return true;
  }

  async Close(): Promise<boolean> {
    if (this.sweeper) clearInterval(this.sweeper);
    return true;
  }

  /** Removes expired documents; reads never return them even before a sweep. */
  async sweep(): Promise<number> {
    const res = await this.db.query('DELETE FROM ltijs_document WHERE expires_at <= now()');
    return res.rowCount ?? 0;
  }

  async Get(encKey: string | false, collection: string, query?: Doc): Promise<Doc[] | false> {
    if (!collection) throw new Error('MISSING_COLLECTION');
    const res = await this.db.query<{ doc: Doc; created_at: Date }>(
      `SELECT doc, created_at FROM ltijs_document
        WHERE collection = $1 AND doc @> $2::jsonb AND (expires_at IS NULL OR expires_at > now())
        ORDER BY id`,
      [collection, JSON.stringify(query ?? {})],
    );
    if (res.rows.length === 0) return false;
    return res.rows.map((r) => {
      const item = encKey ? this.decrypt(r.doc) : r.doc;
      return { ...item, createdAt: r.created_at.getTime() };
    });
  }

  async Insert(encKey: string | false, collection: string, item: Doc, index?: Doc): Promise<boolean> {
    if (!collection || !item || (encKey && !index)) throw new Error('MISSING_PARAMS');
    const doc = encKey ? { ...index, ...this.encrypt(item) } : item;
    await this.db.tx(async (q) => {
      const key = keyOf(collection, doc);
      if (key) {
        await q.query('DELETE FROM ltijs_document WHERE collection = $1 AND doc @> $2::jsonb AND expires_at <= now()', [collection, JSON.stringify(key)]);
      }
      await q.query(
        `INSERT INTO ltijs_document (collection, doc, expires_at)
         VALUES ($1, $2::jsonb, CASE WHEN $3::int IS NULL THEN NULL ELSE clock_timestamp() + make_interval(secs => $3::int) END)`,
        [collection, JSON.stringify(doc), TTL_SECONDS[collection] ?? null],
      );
    });
    return true;
  }

  async Replace(encKey: string | false, collection: string, query: Doc, item: Doc, index?: Doc): Promise<boolean> {
    if (!collection || !item || (encKey && !index)) throw new Error('MISSING_PARAMS');
    const doc = encKey ? { ...index, ...this.encrypt(item) } : item;
    await this.db.tx(async (q) => {
      await q.query('DELETE FROM ltijs_document WHERE collection = $1 AND doc @> $2::jsonb', [collection, JSON.stringify(query)]);
      const key = keyOf(collection, doc);
      if (key) {
        await q.query('DELETE FROM ltijs_document WHERE collection = $1 AND doc @> $2::jsonb AND expires_at <= now()', [collection, JSON.stringify(key)]);
      }
      await q.query(
        `INSERT INTO ltijs_document (collection, doc, expires_at)
         VALUES ($1, $2::jsonb, CASE WHEN $3::int IS NULL THEN NULL ELSE clock_timestamp() + make_interval(secs => $3::int) END)`,
        [collection, JSON.stringify(doc), TTL_SECONDS[collection] ?? null],
      );
    });
    return true;
  }

  async Modify(encKey: string | false, collection: string, query: Doc, modification: Doc): Promise<boolean> {
    if (!collection || !query || !modification) throw new Error('MISSING_PARAMS');
    await this.db.tx(async (q) => {
      const rows = await q.query<{ id: string; doc: Doc }>(
        `SELECT id, doc FROM ltijs_document WHERE collection = $1 AND doc @> $2::jsonb
           AND (expires_at IS NULL OR expires_at > now()) ORDER BY id FOR UPDATE`,
        [collection, JSON.stringify(query)],
      );
      for (const row of rows.rows) {
        let patch: Doc = modification;
        if (encKey) {
          // ltijs modifies one field of an encrypted document at a time.
          const clear = { ...this.decrypt(row.doc), ...modification };
          patch = this.encrypt(clear);
        }
        await q.query('UPDATE ltijs_document SET doc = doc || $2::jsonb WHERE id = $1', [row.id, JSON.stringify(patch)]);
      }
    });
    return true;
  }

  async Delete(collection: string, query: Doc): Promise<boolean> {
    if (!collection || !query) throw new Error('MISSING_PARAMS');
    await this.db.query('DELETE FROM ltijs_document WHERE collection = $1 AND doc @> $2::jsonb', [collection, JSON.stringify(query)]);
    return true;
  }

  private encrypt(item: Doc): Doc {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(item), 'utf8'), cipher.final()]);
    return { iv: iv.toString('base64'), data: data.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
  }

  private decrypt(doc: Doc): Doc {
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(String(doc.iv), 'base64'));
    decipher.setAuthTag(Buffer.from(String(doc.tag), 'base64'));
    const clear = Buffer.concat([decipher.update(Buffer.from(String(doc.data), 'base64')), decipher.final()]);
    return JSON.parse(clear.toString('utf8')) as Doc;
  }
}

function keyOf(collection: string, doc: Doc): Doc | null {
  const fields = KEYS[collection];
  if (!fields || !TTL_SECONDS[collection]) return null;
  const key: Doc = {};
  for (const f of fields) {
    if (doc[f] === undefined) return null;
    key[f] = doc[f];
  }
  return key;
}
