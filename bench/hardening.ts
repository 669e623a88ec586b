/**
 * npm run bench:hardening — what the registration and LRS-auth hardening costs and saves, in this process, on a fresh
 * database of the PostgreSQL server (BENCH_DATABASE_URL) or, with BENCH_DB=pglite, embedded PGlite.
 *
 * (a) Tool key generation, per RSA size: time to make one key on the thread pool (crypto.generateKeyPair), and the
 *     longest event-loop stall meanwhile (the longest gap between ticks of a 1 ms timer); baseline: the same key
 *     made synchronously, as ltijs 5.9.9's registerPlatform does (4096 bits), whose stall is the whole generation.
 * (b) One registration through Accrue's registry (key + storage) against ltijs's registerPlatform on the same storage:
 *     wall time and longest event-loop stall of each.
 * (c) LRS Basic auth, authenticate() calls per second on one credential: inside the cache window (no I/O), with the
 *     window at 0 (a primary-key re-read per call: the revocation check) and uncached (one scrypt per call).
 * Options (env): BENCH_DATABASE_URL, BENCH_DB (server|pglite), BENCH_KEYS (keys per size, default 5),
 * BENCH_AUTH_SECONDS (per auth mode, default 3).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config';
import { createApp } from '../src/app';
import { CredentialService } from '../src/lrs/credentials';
import { CredentialStore } from '../src/lrs/store-credentials';
import { freshDatabase, percentile } from './lib';

const KEYS = Number(process.env.BENCH_KEYS ?? 5);
const AUTH_SECONDS = Number(process.env.BENCH_AUTH_SECONDS ?? 3);
const generateKeyPair = promisify(crypto.generateKeyPair);
const pem = { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } } as const;

/**
 * Runs fn while a 1 ms interval timer watches the event loop; returns fn's wall time and the longest gap between two
 * ticks (ms), i.e. the longest time any request would have waited for the loop.
 */
async function observed(fn: () => Promise<unknown> | unknown): Promise<{ ms: number; stallMs: number }> {
  let last = performance.now();
  let stall = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 5)); // the watcher is running before fn starts
  last = performance.now();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5)); // one more tick sees the end of a stall
  clearInterval(tick);
  return { ms, stallMs: stall };
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

async function main() {
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} · ${os.cpus().length} CPUs · node ${process.version}`);

  console.log('\n(a) tool key generation, median of', KEYS, 'keys');
  for (const bits of [2048, 3072, 4096] as const) {
    const runs = [];
    for (let i = 0; i < KEYS; i++) runs.push(await observed(() => generateKeyPair('rsa', { modulusLength: bits, ...pem })));
    console.log(`  async RSA ${bits}: ${fmt(median(runs.map((r) => r.ms)))} ms per key, longest event-loop stall ${fmt(Math.max(...runs.map((r) => r.stallMs)))} ms`);
  }
  const sync = [];
  for (let i = 0; i < KEYS; i++) sync.push(await observed(() => crypto.generateKeyPairSync('rsa', { modulusLength: 4096, ...pem })));
  console.log(`  baseline sync RSA 4096 (ltijs): ${fmt(median(sync.map((r) => r.ms)))} ms per key, longest event-loop stall ${fmt(Math.max(...sync.map((r) => r.stallMs)))} ms`);

  const pglite = process.env.BENCH_DB === 'pglite';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-bench-hardening-'));
  const databaseUrl = pglite ? '' : await freshDatabase('accrue_bench_hardening');
  const config = loadConfig({ env: { NODE_ENV: 'test' }, overrides: { databaseUrl, dataDir, sandbox: false, lrsForwardWorker: false, publicUrl: 'http://127.0.0.1:1' } });
  const accrue = await createApp({ config });
  try {
    console.log(`\n(b) one registration (database: ${accrue.db.kind}), median of ${KEYS}`);
    const platform = (name: string, i: number) => ({
      issuer: `https://${name}-${i}.bench.invalid`, clientId: `c-${i}`, name, authEndpoint: `https://${name}-${i}.bench.invalid/auth`,
      tokenEndpoint: `https://${name}-${i}.bench.invalid/token`, authConfig: { method: 'JWK_SET' as const, key: `https://${name}-${i}.bench.invalid/jwks` },
    });
    const ours = [];
    const theirs = [];
    for (let i = 0; i < KEYS; i++) {
      ours.push(await observed(() => accrue.lti.registry.register({ ...platform('accrue', i), deploymentIds: ['d'], active: true })));
      const p = platform('ltijs', i);
      theirs.push(await observed(() => accrue.lti.core.provider.registerPlatform({
        url: p.issuer, clientId: p.clientId, name: p.name, authenticationEndpoint: p.authEndpoint, accesstokenEndpoint: p.tokenEndpoint, authConfig: p.authConfig,
      })));
    }
    console.log(`  Accrue registry (async RSA ${config.ltiToolKeyBits}): ${fmt(median(ours.map((r) => r.ms)))} ms, longest stall ${fmt(Math.max(...ours.map((r) => r.stallMs)))} ms`);
    console.log(`  baseline ltijs registerPlatform (sync RSA 4096): ${fmt(median(theirs.map((r) => r.ms)))} ms, longest stall ${fmt(Math.max(...theirs.map((r) => r.stallMs)))} ms`);

    console.log(`\n(c) LRS Basic auth, authenticate() per second over ${AUTH_SECONDS} s each`);
    const store = new CredentialStore(accrue.db);
    const key = `bench-${crypto.randomUUID()}`;
    const secret = crypto.randomBytes(18).toString('base64url');
    await new CredentialService({ store, publicUrl: config.publicUrl }).add({ key, secret, scopes: ['all'], name: 'bench' });
    const header = `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
    const rate = async (label: string, make: () => CredentialService, fresh: boolean) => {
      let service = make();
      let n = 0;
      const end = performance.now() + AUTH_SECONDS * 1000;
      while (performance.now() < end) {
        if (fresh) service = make();
        await service.authenticate(header, '127.0.0.1');
        n++;
      }
      console.log(`  ${label}: ${fmt(n / AUTH_SECONDS)}/s`);
    };
    await rate('cached, inside the 5 s window (no I/O)', () => new CredentialService({ store, publicUrl: config.publicUrl, cacheMs: 5000 }), false);
    await rate('window 0 s (revocation re-read by primary key each call)', () => new CredentialService({ store, publicUrl: config.publicUrl, cacheMs: 0 }), false);
    await rate('uncached (scrypt N=16384 each call)', () => new CredentialService({ store, publicUrl: config.publicUrl }), true);
  } finally {
    await accrue.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
