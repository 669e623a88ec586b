/**
 * Process entry: load configuration, open the database, build the app, listen, drain on SIGTERM/SIGINT.
 * `startServer` is also what tests and benchmarks use to run real instances on real ports.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AccrueApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { DatabaseUnavailableError, type Db } from './db';
import { createLogger } from './log';

export interface RunningServer {
  url: string;
  accrue: AccrueApp;
  server: http.Server;
  close(): Promise<void>;
}

/** Listens first (so PORT=0 yields a real port and PUBLIC_URL), then builds the app on that URL. */
export async function startServer(options: { config: Config; db?: Db; host?: string }): Promise<RunningServer> {
  const config = { ...options.config };
  // Until the app is built (database, migrations, keys), requests get a plain 503 instead of hanging.
  const starting: http.RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '2' }).end('Accrue is starting; try again in a moment.\n');
  };
  const server = http.createServer(starting);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  if (/:0$/.test(config.publicUrl)) config.publicUrl = config.publicUrl.replace(/:0$/, `:${port}`);
  let accrue: AccrueApp;
  try {
    accrue = await createApp({ config, db: options.db });
  } catch (err) {
    server.close();
    throw err;
  }
  server.off('request', starting);
  server.on('request', accrue.app);
  return {
    url: config.publicUrl,
    accrue,
    server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await accrue.close();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel });
  const started = Date.now();
  let running: RunningServer;
  try {
    running = await startServer({ config });
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) {
      log.error('database unavailable', { error: err.message });
      process.stderr.write(`Accrue cannot start: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const db = running.accrue.db.kind === 'embedded' ? `embedded PostgreSQL (PGlite) in ${config.dataDir}` : 'PostgreSQL server (DATABASE_URL)';
  log.info('accrue started', { url: running.url, database: running.accrue.db.kind, ms: Date.now() - started });
  process.stdout.write(`\nAccrue is running at ${running.url}/ on ${db}${config.sandbox && config.env !== 'production' ? ' — open it to try a launch from the sandbox LMS' : ''}.\n\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`Accrue failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
