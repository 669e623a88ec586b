/**
 * Runs Accrue with its LRS for the ADL conformance suite (or a manual client) and creates a credential with
 * scope "all". Usage: `PORT=4010 [DATABASE_URL=...] npx tsx bench/lrs-server.ts [key] [secret]`
 * (embedded PGlite in a fresh temporary DATA_DIR unless DATABASE_URL is set). Stops on SIGINT/SIGTERM.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { startServer } from '../src/main';

async function main(): Promise<void> {
  const [key = 'conformance', secret = 'conformance-secret'] = process.argv.slice(2);
  const dataDir = process.env.DATA_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-lrs-'));
  const config = loadConfig({ overrides: { dataDir, sandbox: false, logLevel: (process.env.LOG_LEVEL as 'info') || 'warn' } });
  const running = await startServer({ config, host: '127.0.0.1' });
  const existing = (await running.accrue.lrs.credentials.list()).find((c) => c.key === key && !c.revokedAt);
  if (!existing) await running.accrue.lrs.credentials.add({ key, secret, scopes: ['all'], name: 'ADL conformance suite' });
  process.stdout.write(`LRS ready at ${running.url}/xapi (${running.accrue.db.kind}) key=${key}\n`);
  const stop = () => {
    setTimeout(() => process.exit(1), 10_000).unref(); // a client holding a keep-alive connection must not keep us up
    running.server.closeAllConnections();
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
