// Accrue for bench:lrs, in its own process on the PostgreSQL server, with a credential "bench" (scope all).
// Prints {"ready":true,"port":N}.
import { loadConfig } from '../../src/config';
import { startServer } from '../../src/main';

async function main() {
  const config = loadConfig({ env: { ...process.env, NODE_ENV: 'development' }, overrides: {
    sandbox: false, logLevel: 'warn', publicUrl: `http://127.0.0.1:${process.env.PORT}`, passbackWorker: false, lrsForwardWorker: false,
  } });
  const running = await startServer({ config, host: '127.0.0.1' });
  const { credentials } = running.accrue.lrs;
  if (!(await credentials.list()).some((c) => c.key === 'bench')) await credentials.add({ key: 'bench', secret: 'bench-secret', scopes: ['all'], name: 'bench' });
  process.stdout.write(JSON.stringify({ ready: true, port: Number(process.env.PORT) }) + '\n');
  const stop = () => void running.close().finally(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
