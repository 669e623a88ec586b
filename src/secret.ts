/**
 * The application secret. Production must configure ACCRUE_SECRET. Elsewhere a random one is made once and kept in
 * the database, so every process on one database signs and encrypts alike without any setup.
 */
import crypto from 'node:crypto';
import type { Config } from './config';
import type { Db } from './db';

export async function resolveSecret(db: Db, config: Config): Promise<string> {
  if (config.secret) return config.secret;
  await db.query("INSERT INTO app_setting (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING", [crypto.randomBytes(32).toString('base64url')]);
  const res = await db.query<{ value: string }>("SELECT value FROM app_setting WHERE key = 'secret'");
  return res.rows[0]!.value;
}
