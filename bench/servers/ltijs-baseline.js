// Baseline for bench:launch: a plain ltijs 5.9.9 tool on ltijs-sequelize, as its documentation sets it up.
// Started as a child process by bench/launch.ts; prints {"ready":true,"port":N} when it listens.
const { Provider: lti } = require('ltijs');
const Database = require('ltijs-sequelize');

async function main() {
  const u = new URL(process.env.BASELINE_DATABASE_URL);
  const db = new Database(u.pathname.slice(1), u.username || 'postgres', u.password || '', {
    host: u.hostname, port: Number(u.port || 5432), dialect: 'postgres', logging: false,
  });
  lti.setup('baseline-encryption-key-0123456789abcdef', { plugin: db }, {
    cookies: { secure: false, sameSite: '' }, devMode: false, tokenMaxAge: 60,
  });
  lti.onConnect((token, req, res) => res.send(`<!doctype html><title>ok</title><h1>Hello ${token.user}</h1>`));
  await lti.deploy({ port: Number(process.env.PORT), silent: true });
  const p = JSON.parse(process.env.BENCH_PLATFORM);
  await lti.registerPlatform({
    url: p.issuer, name: 'bench', clientId: p.clientId, authenticationEndpoint: p.authEndpoint,
    accesstokenEndpoint: p.tokenEndpoint, authConfig: { method: p.keyMethod, key: p.key },
  });
  process.stdout.write(JSON.stringify({ ready: true, port: Number(process.env.PORT) }) + '\n');
}
main().catch((err) => { process.stderr.write(String(err && err.stack || err) + '\n'); process.exit(1); });
