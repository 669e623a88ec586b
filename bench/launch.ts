/**
 * npm run bench:launch — complete LTI launches per second (login initiation + id_token POST + the first page) at
 * concurrency 1 and 16, for Accrue and, as the baseline in the same run, a plain ltijs 5.9.9 tool on
 * ltijs-sequelize, both on the same PostgreSQL server, each in its own process, driven by the same load generator
 * (this process, acting as the platform: it signs each id_token with RS256). Reported as a ratio to the baseline.
 * Platform keys: BENCH_KEYS=jwks (default: both tools fetch the platform's keyset URL, served by this process, as
 * Canvas and Moodle publish it; ltijs fetches it on every launch, Accrue caches it) or BENCH_KEYS=pem (both are given
 * the platform's public key in PEM, ltijs's RSA_KEY method).
 * Options (env): BENCH_DATABASE_URL (server), BENCH_SECONDS (per run, default 10).
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { freePort, freshDatabase, percentile, startChild, stopChild } from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const KEYS = process.env.BENCH_KEYS === 'pem' ? 'pem' : 'jwks';
const ISSUER = 'https://lms.bench.invalid';
const CLIENT_ID = 'bench-client';
const DEPLOYMENT_ID = 'bench-deployment';

interface Target {
  name: string;
  base: string;
  loginPath: string;
  launchPath: string;
}

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function oneLaunch(t: Target, key: Key, n: number): Promise<void> {
  const jar = new Jar();
  const sub = `user-${n}`;
  const login = new URL(t.base + t.loginPath);
  login.search = new URLSearchParams({ iss: ISSUER, login_hint: sub, target_link_uri: t.base + t.launchPath, client_id: CLIENT_ID, lti_deployment_id: DEPLOYMENT_ID }).toString();
  const r1 = await fetch(login, { redirect: 'manual' });
  jar.take(r1);
  await r1.arrayBuffer();
  const auth = new URL(r1.headers.get('location') ?? 'x:');
  const state = auth.searchParams.get('state');
  const nonce = auth.searchParams.get('nonce');
  if (r1.status !== 302 || !state || !nonce) throw new Error(`${t.name} login answered ${r1.status}`);
  const now = Math.floor(Date.now() / 1000);
  const idToken = await new SignJWT({
    nonce, sub, name: 'Bench User',
    'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiResourceLinkRequest',
    'https://purl.imsglobal.org/spec/lti/claim/version': '1.3.0',
    'https://purl.imsglobal.org/spec/lti/claim/deployment_id': DEPLOYMENT_ID,
    'https://purl.imsglobal.org/spec/lti/claim/target_link_uri': t.base + t.launchPath,
    'https://purl.imsglobal.org/spec/lti/claim/resource_link': { id: 'rl-1', title: 'Bench activity' },
    'https://purl.imsglobal.org/spec/lti/claim/roles': ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    'https://purl.imsglobal.org/spec/lti/claim/context': { id: 'course-1', title: 'Bench course' },
  }).setProtectedHeader({ alg: 'RS256', kid: 'bench' }).setIssuer(ISSUER).setAudience(CLIENT_ID).setIssuedAt(now).setExpirationTime(now + 300).sign(key);
  const r2 = await fetch(t.base + t.launchPath, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ id_token: idToken, state }).toString(),
  });
  jar.take(r2);
  await r2.arrayBuffer();
  const next = r2.headers.get('location');
  if (r2.status < 300 || r2.status >= 400 || !next) throw new Error(`${t.name} launch answered ${r2.status}`);
  const r3 = await fetch(new URL(next, t.base), { redirect: 'manual', headers: { cookie: jar.header() } });
  await r3.arrayBuffer();
  if (r3.status !== 200) throw new Error(`${t.name} first page answered ${r3.status}`);
}

async function run(t: Target, key: Key, concurrency: number) {
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline) {
      const t0 = performance.now();
      try {
        await oneLaunch(t, key, counter++);
        latencies.push(performance.now() - t0);
      } catch (err) {
        if (errors++ === 0) console.error(`  first error on ${t.name}: ${(err as Error).message}`);
      }
    }
  }));
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), ok: latencies.length, errors };
}

async function main() {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' }] });
  const keyServer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  const keyPort = await freePort();
  await new Promise<void>((r) => keyServer.listen(keyPort, '127.0.0.1', () => r()));
  const platform = {
    issuer: ISSUER, clientId: CLIENT_ID, deploymentId: DEPLOYMENT_ID,
    authEndpoint: `${ISSUER}/auth`, tokenEndpoint: `${ISSUER}/token`,
    keyMethod: KEYS === 'pem' ? 'RSA_KEY' : 'JWK_SET',
    key: KEYS === 'pem' ? await exportSPKI(publicKey) : `http://127.0.0.1:${keyPort}/jwks`,
  };
  const children: ChildProcess[] = [];
  try {
    const [accrueDb, baselineDb] = await Promise.all([freshDatabase('accrue_bench_launch'), freshDatabase('ltijs_bench_launch')]);
    const [accruePort, basePort] = [await freePort(), await freePort()];
    const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
    children.push(await startChild(tsx, [path.join(__dirname, 'servers', 'accrue.ts')], { PORT: String(accruePort), DATABASE_URL: accrueDb, DB_POOL_SIZE: '16', BENCH_PLATFORM: JSON.stringify(platform) }));
    children.push(await startChild(process.execPath, [path.join(__dirname, 'servers', 'ltijs-baseline.js')], { PORT: String(basePort), BASELINE_DATABASE_URL: baselineDb, BENCH_PLATFORM: JSON.stringify(platform) }));
    const accrue: Target = { name: 'Accrue', base: `http://127.0.0.1:${accruePort}`, loginPath: '/lti/login', launchPath: '/lti/launch' };
    const baseline: Target = { name: 'ltijs 5.9.9 + ltijs-sequelize', base: `http://127.0.0.1:${basePort}`, loginPath: '/login', launchPath: '/' };
    for (const t of [accrue, baseline]) await run(t, privateKey, 4).catch(() => undefined); // warm-up (JIT, pools, caches)
    console.log(`bench:launch — ${SECONDS}s per run, PostgreSQL server, platform keys ${platform.keyMethod}, Node ${process.version}`);
    const rows: Record<string, ReturnType<typeof run> extends Promise<infer R> ? R : never> = {};
    for (const c of [1, 16]) {
      for (const t of [baseline, accrue]) {
        const r = await run(t, privateKey, c);
        rows[`${t.name}@${c}`] = r;
        console.log(`  ${t.name.padEnd(30)} c=${String(c).padEnd(3)} ${r.perSecond.toFixed(1).padStart(7)} launches/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  (${r.ok} ok, ${r.errors} errors)`);
      }
    }
    for (const c of [1, 16]) {
      const a = rows[`Accrue@${c}`]!;
      const b = rows[`${baseline.name}@${c}`]!;
      console.log(`  ratio at concurrency ${c}: Accrue / baseline = ${(a.perSecond / b.perSecond).toFixed(2)}x launches per second`);
    }
  } finally {
    for (const c of children) stopChild(c);
    keyServer.close();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
