/**
 * The database: a PostgreSQL server when DATABASE_URL is set, else embedded PGlite persisted under DATA_DIR and
 * served in-process over a loopback socket to the same `pg` driver, so one dialect and one code path serve both.
 * The only importer of `pg` and PGlite.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import { runMigrations } from './migrate';

export interface Queryable {
  /**
   * `options.name` prepares the statement once per connection under that name and reuses its plan: for a hot query
   * whose planning costs more than its execution. The same name must always carry the same SQL.
   */
  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[], options?: { name?: string }): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** A connection inside a transaction: it can also read a large result in batches through a cursor. */
export interface TxQueryable extends Queryable {
  /** Rows of `sql` in batches of `batchSize` through DECLARE CURSOR / FETCH, on this transaction's connection. */
  stream<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[], batchSize?: number): AsyncGenerator<R[], void, undefined>;
}

export interface Db extends Queryable {
  readonly kind: 'server' | 'embedded';
  /** Runs fn in one transaction on one connection; commits if it resolves, rolls back if it throws. */
  tx<T>(fn: (q: TxQueryable) => Promise<T>): Promise<T>;
  /**
   * Rows of `sql` in batches, read through a server-side cursor in a read-only transaction of its own, so a result
   * of any size is held one batch at a time (the same on PGlite and on a server). Leaving the loop early closes it.
   * Embedded PGlite has one connection: nothing else can query until the loop ends.
   */
  stream<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[], batchSize?: number): AsyncGenerator<R[], void, undefined>;
  close(): Promise<void>;
}

let cursorSeq = 0;

/** DECLARE / FETCH / CLOSE on a connection already inside a transaction (a cursor without HOLD lives in one). */
async function* cursorBatches<R extends QueryResultRow>(client: PoolClient, sql: string, params: unknown[], batchSize: number): AsyncGenerator<R[], void, undefined> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  const name = `accrue_cursor_${++cursorSeq}`;
  // Callers read the whole result: plan for all of it. PostgreSQL plans a cursor for its first 10% of rows
  // (cursor_tuple_fraction), which for 100,000 CPE Monitor claims chose nested loops over an index: 8 s instead of 3.
  await client.query('SET LOCAL cursor_tuple_fraction = 1');
  await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
  const fetch = () => client.query<R>(`FETCH FORWARD ${batchSize} FROM ${name}`);
  // The next batch is asked for before this one is handed over, so the server reads it while the caller works on
  // this one (two batches in memory at most). An early exit (break, throw) skips the CLOSE: the transaction's
  // COMMIT or ROLLBACK drops the cursor; the batch asked for in advance is awaited first, so no reply is left behind.
  let next: Promise<{ rows: R[] }> | null = fetch();
  try {
    while (next) {
      const res: { rows: R[] } = await next;
      next = null;
      if (res.rows.length === 0) break;
      if (res.rows.length === batchSize) next = fetch();
      yield res.rows;
    }
  } finally {
    if (next) await next.catch(() => undefined);
  }
  await client.query(`CLOSE ${name}`);
}

function txQueryable(client: PoolClient): TxQueryable {
  return {
    query: (sql, params, options) => client.query({ text: sql, values: params as unknown[], name: options?.name }) as never,
    stream: (sql, params, batchSize = 1000) => cursorBatches(client, sql, params ?? [], batchSize),
  };
}

export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** An error the server answered with (it has a SQLSTATE): the connection itself is fine. */
function isSqlError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && /^[0-9A-Z]{5}$/.test((err as { code: string }).code);
}

function wrapPool(pool: Pool, kind: Db['kind'], onClose: () => Promise<void>): Db {
  let closed = false;
  return {
    kind,
    // Not pool.query(): it destroys the connection after any failed statement, and embedded PGlite has only one,
    // whose replacement can race the old socket's teardown. A query error (SQLSTATE) leaves a connection usable.
    async query(sql, params, options) {
      const client: PoolClient = await pool.connect();
      let broken: Error | undefined;
      try {
        return (await client.query({ text: sql, values: params as unknown[], name: options?.name })) as never;
      } catch (err) {
        if (!isSqlError(err)) broken = err as Error;
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async tx(fn) {
      const client: PoolClient = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(txQueryable(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A connection that cannot roll back is discarded, never handed to the next caller mid-transaction.
        await client.query('ROLLBACK').catch((e: Error) => { broken = e; });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async *stream(sql, params, batchSize = 1000) {
      const client: PoolClient = await pool.connect();
      let ok = false;
      let broken: Error | undefined;
      try {
        await client.query('BEGIN READ ONLY');
        for await (const rows of cursorBatches(client, sql, params ?? [], batchSize)) yield rows as never;
        ok = true;
      } finally {
        await client.query(ok ? 'COMMIT' : 'ROLLBACK').catch((e: Error) => { broken = e; });
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      await onClose();
    },
  };
}

/** The pool's connection settings with `-c jit=off` added to any `options` DATABASE_URL gives (pg lets the URL's win). */
function withJitOff(url: string): { connectionString: string; options: string } {
  try {
    const u = new URL(url);
    const given = u.searchParams.get('options');
    if (given === null) return { connectionString: url, options: '-c jit=off' };
    u.searchParams.delete('options');
    return { connectionString: u.toString(), options: `${given} -c jit=off` };
  } catch {
    return { connectionString: url, options: '-c jit=off' };
  }
}

async function openServer(url: string, poolSize: number): Promise<Db> {
  // jit=off: Accrue's queries are short (index probes, batches of rows); when a table's statistics lag (a new or
  // fast-growing table), the planner's estimate passes jit_above_cost and each execution spent ~70 ms compiling
  // (the LRS's batch insert: 5x its own execution time). Options given in DATABASE_URL (?options=) are kept.
  const pool = new Pool({ ...withJitOff(url), max: poolSize, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined); // an idle client's error surfaces on the next query instead of crashing
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUnavailableError(`Cannot reach the PostgreSQL server at DATABASE_URL: ${(err as Error).message}`);
  }
  return wrapPool(pool, 'server', async () => undefined);
}

/** Lock files this process holds: its own pid in a lock file is ours only if it is in here. */
const heldLocks = new Set<string>();

const inUse = (dataDir: string, pid: number) => new DatabaseUnavailableError(
  `The embedded database in ${dataDir} is in use by another Accrue process (pid ${pid}). Stop it first, or run Accrue on a PostgreSQL server (DATABASE_URL), where the CLI works while Accrue runs.`,
);

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it. A lock file with
 * our pid keeps it to one, and says who holds it (a stale lock of a dead process is taken over). A lock with our
 * own pid is stale (a container restarted with the same pid) unless this process holds it: a second open in the
 * same process (an in-process CLI, a second app) is refused like one from another process.
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = path.join(dataDir, 'accrue.lock');
  if (heldLocks.has(lock)) throw inUse(dataDir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      heldLocks.add(lock);
      return () => {
        heldLocks.delete(lock);
        fs.rmSync(lock, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(lock, 'utf8').trim());
      let alive = false;
      try {
        alive = pid > 0 && pid !== process.pid && process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (alive) throw inUse(dataDir, pid);
      fs.rmSync(lock, { force: true });
    }
  }
  throw new DatabaseUnavailableError(`Cannot lock the embedded database in ${dataDir}.`);
}

/**
 * Creates a new embedded database in a child process. PGlite's initdb grows the WebAssembly memory of the process
 * that runs it to ~0.9 GB, which that process keeps for good (WebAssembly memory never shrinks): a server that
 * created its database at first start held ~930 MB, one that opened an existing database ~450 MB.
 */
async function createEmbedded(dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return;
  const script = `import('@electric-sql/pglite')
    .then(async ({ PGlite }) => { const pg = await PGlite.create(process.argv[1]); await pg.close(); })
    .then(() => process.exit(0), (err) => { process.stderr.write(String((err && err.message) || err)); process.exit(1); });`;
  await new Promise<void>((resolve, reject) => {
    // From the project's folder, so the child resolves the same PGlite package.
    const child = spawn(process.execPath, ['-e', script, dir], { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(err.trim() || `initdb exited with ${code}`))));
  });
}

async function openEmbedded(dataDir: string): Promise<Db> {
  // ESM-only packages, loaded lazily so a server deployment never touches them.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const dir = path.join(dataDir, 'pgdata');
  const unlock = lockDataDir(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  let pg;
  try {
    await createEmbedded(dir);
    pg = await PGlite.create(dir);
  } catch (err) {
    unlock();
    throw new DatabaseUnavailableError(
      `Cannot open the embedded database in ${dir}: ${(err as Error).message}. Is another Accrue process using this DATA_DIR?`,
    );
  }
  // PGlite is one session: one socket connection and a pool of one, so transactions never interleave.
  // The pool holds one connection; the server takes a second so a replacement (after a broken connection) is never
  // refused while the old socket is still being torn down. Its queue runs one statement at a time and keeps a
  // transaction with the connection that opened it.
  const server = new PGLiteSocketServer({ db: pg, host: '127.0.0.1', port: 0, maxConnections: 2 });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  const pool = new Pool({ host, port: Number(port), user: 'postgres', database: 'postgres', max: 1 });
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');
  return wrapPool(pool, 'embedded', async () => {
    await server.stop();
    await pg.close();
    unlock();
  });
}

/** Opens the database and applies migrations. Throws DatabaseUnavailableError, never exits the process. */
export async function openDatabase(options: { databaseUrl: string; dataDir: string; poolSize: number; migrateUpTo?: number }): Promise<Db> {
  const db = options.databaseUrl ? await openServer(options.databaseUrl, options.poolSize) : await openEmbedded(options.dataDir);
  try {
    await runMigrations(db, { upTo: options.migrateUpTo });
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}
