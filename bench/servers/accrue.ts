// Accrue for bench:launch, in its own process on the PostgreSQL server. Prints {"ready":true,"port":N}.
import { loadConfig } from '../../src/config';
import { startServer } from '../../src/main';

async function main() {
  const config = loadConfig({ env: { ...process.env, NODE_ENV: 'development' }, overrides: {
    sandbox: false, logLevel: 'warn', publicUrl: `http://127.0.0.1:${process.env.PORT}`,
  } });
  const running = await startServer({ config, host: '127.0.0.1' });
  const p = JSON.parse(process.env.BENCH_PLATFORM!) as Record<string, string>;
  const existing = (await running.accrue.lti.registry.list()).find((x) => x.issuer === p.issuer && x.clientId === p.clientId);
  if (!existing) {
    await running.accrue.lti.registry.register({
      issuer: p.issuer!, clientId: p.clientId!, name: 'bench', authEndpoint: p.authEndpoint!, tokenEndpoint: p.tokenEndpoint!,
      authConfig: { method: p.keyMethod as 'RSA_KEY' | 'JWK_SET', key: p.key! }, deploymentIds: [p.deploymentId!], active: true,
    });
  }
  process.stdout.write(JSON.stringify({ ready: true, port: Number(process.env.PORT) }) + '\n');
}
main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
