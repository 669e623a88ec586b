/**
 * Which database the suite runs on: a PostgreSQL server when DATABASE_URL is set, else embedded PGlite in a fresh
 * temporary DATA_DIR. Either way it must be reachable: the suite fails loudly instead of testing nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config';

export function testConfig(overrides: Partial<Config> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-test-'));
  return loadConfig({ env: { ...process.env, NODE_ENV: 'test' }, overrides: { dataDir, port: 0, ...overrides } });
}
