/**
 * Versioned SQL migrations from src/db/migrations/NNN_name.sql, applied in order at start, each in its own
 * transaction and recorded in schema_migrations. An advisory lock makes concurrent starts of several processes
 * on one server safe; applying twice is a no-op.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './index';

const DIR = path.join(__dirname, 'migrations');
const LOCK_ID = 7_345_001; // arbitrary, constant: identifies "Accrue migrations" among advisory locks

export function listMigrations(): { version: number; name: string; sql: string }[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f, sql: fs.readFileSync(path.join(DIR, f), 'utf8') }));
}

/** Applies the migrations not yet applied, in order; `upTo` stops after that version (tests of a migration's upgrade). */
export async function runMigrations(db: Db, options: { upTo?: number } = {}): Promise<number[]> {
  return db.tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
    await q.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await q.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of listMigrations()) {
      if (done.has(m.version) || (options.upTo !== undefined && m.version > options.upTo)) continue;
      await q.query(m.sql);
      await q.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
