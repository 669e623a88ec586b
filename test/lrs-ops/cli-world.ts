/**
 * Where the CLI tests run. On a PostgreSQL server (DATABASE_URL set) the CLI runs in-process (runCli) against the
 * suite's own database while the suite's Accrue runs, as an administrator would. On embedded PGlite the suite's
 * DATA_DIR is held by the suite's Accrue (the CLI must refuse it: see the refusal test), so the commands run against
 * a fresh temporary DATA_DIR with DATABASE_URL empty, which the test opens only between commands.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main';
import { loadConfig, type Config } from '../../src/config';
import { openDatabase, type Db } from '../../src/db';
import { createLogger } from '../../src/log';
import { createLrs } from '../../src/lrs';
import { harness } from '../helpers/harness';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

export interface CliWorld {
  kind: 'server' | 'embedded';
  env: NodeJS.ProcessEnv;
  config: Config;
  run(...argv: string[]): Promise<CliRun>;
  /** Runs fn with an open database and the LRS services on it (opened and closed around fn on PGlite). */
  withLrs<T>(fn: (lrs: ReturnType<typeof createLrs>, db: Db) => Promise<T>): Promise<T>;
}

export function cliWorld(): CliWorld {
  const suite = harness().accrue.accrue;
  const server = Boolean(suite.config.databaseUrl);
  const env: NodeJS.ProcessEnv = server
    ? { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info' }
    : { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: '', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-cli-')) };
  const config = loadConfig({ env });
  const log = createLogger({ level: 'silent' });
  return {
    kind: server ? 'server' : 'embedded',
    env,
    config,
    async run(...argv) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, { stdin: process.stdin, out: (l) => out.push(l), err: (l) => err.push(l) }, env);
      return { code, out, err };
    },
    async withLrs(fn) {
      if (server) return fn(createLrs({ db: suite.db, config, log }), suite.db);
      const db = await openDatabase({ databaseUrl: '', dataDir: config.dataDir, poolSize: 1 });
      try {
        return await fn(createLrs({ db, config, log }), db);
      } finally {
        await db.close();
      }
    },
  };
}
