/**
 * npm run bench:passback — the passback outbox against a fake LTI platform that answers every AGS request in 200 ms
 * (the sandbox platform: real client-credentials token endpoint that checks the tool's signed assertion against
 * Accrue's keyset, line items, scores stored in sandbox_score), served by this process on its own port.
 * Accrue runs in this process on a fresh database of the PostgreSQL server.
 *
 * (a) Throughput: scores delivered per minute by one Accrue process's worker (PASSBACK_CONCURRENCY 8, the default,
 *     and 32), against baselines run in the same process on the same platform: ltijs 5.9.9's Grade.submitScore one
 *     score at a time (what an inline "send the grade in the request" implementation does), and 8 at a time (the
 *     same concurrency without an outbox: what durability costs).
 * (b) Backlog drain: the platform refuses connections (its port is closed) for BENCH_OUTAGE_SECONDS (default 600 =
 *     the real 10 minutes) while 5,000 scores are owed; then it comes back. Reported: time from recovery until all
 *     are delivered, with the per-platform circuit (defaults: 5 failures, a probe every 30 s) and, as the baseline,
 *     with the circuit disabled (each score waits out its own backoff: 15 s doubling, jitter, cap 1 h).
 *
 * Options (env): BENCH_DATABASE_URL (server), BENCH_SCORES (a, default 1200), BENCH_BASELINE_SECONDS (default 30),
 * BENCH_BACKLOG (default 5000), BENCH_OUTAGE_SECONDS (default 600), BENCH_PART (a, b or both; default both),
 * BENCH_DELAY_MS (default 200).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loadConfig } from '../src/config';
import { AGS_SCOPE } from '../src/lti';
import { startServer, type RunningServer } from '../src/main';
import type { PassbackItem, PassbackWorker } from '../src/passback';
import { SandboxPlatform } from '../src/sandbox';
import { freshDatabase } from './lib';

const SCORES = Number(process.env.BENCH_SCORES ?? 1200);
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 30);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 5000);
const OUTAGE_SECONDS = Number(process.env.BENCH_OUTAGE_SECONDS ?? 600);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 200);
const PART = process.env.BENCH_PART ?? 'both';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fake LMS: sandbox platform routes behind a fixed delay, on a port that can be closed (outage) and reopened. */
class BenchPlatform {
  server?: http.Server;
  port = 0;
  platform!: SandboxPlatform;
  id = '';
  answered = 0;
  private routes?: express.Router;

  async start(accrue: RunningServer, name: string): Promise<this> {
    const app = express();
    app.use((req, res, next) => {
      if (!req.path.startsWith('/ags/') && req.path !== '/token') return next();
      res.on('finish', () => this.answered++);
      setTimeout(next, DELAY_MS);
    });
    app.use((req, res, next) => (this.routes ? this.routes(req, res, next) : next()));
    this.server = http.createServer(app);
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    const issuer = `http://127.0.0.1:${this.port}`;
    this.platform = await new SandboxPlatform({
      db: accrue.accrue.db, issuer, clientId: `bench-${name}`, deploymentId: 'bench-deployment',
      tool: { loginUrl: `${accrue.url}/lti/login`, launchUrl: `${accrue.url}/lti/launch`, jwksUrl: `${accrue.url}/lti/keys` },
    }).init();
    this.routes = this.platform.router();
    this.id = (await accrue.accrue.lti.registry.register({
      issuer, clientId: `bench-${name}`, name: `bench ${name}`, authEndpoint: this.platform.authEndpoint, tokenEndpoint: this.platform.tokenEndpoint,
      authConfig: { method: 'JWK_SET', key: this.platform.jwksUrl }, deploymentIds: ['bench-deployment'], active: true,
    })).id;
    return this;
  }

  /** Outage: the port is closed, every connection attempt is refused. */
  async down(): Promise<void> {
    const s = this.server!;
    await new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
  }

  async up(): Promise<void> {
    await new Promise<void>((r, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => r());
    });
  }

  async close(): Promise<void> {
    if (this.server?.listening) await this.down();
  }
}

function item(p: BenchPlatform, n: number, run: string): PassbackItem {
  return {
    idempotencyKey: `bench:${run}:${n}`, kind: 'bench',
    target: {
      platformId: p.id, userSub: `learner-${run}-${n}`, lineItemsUrl: `http://127.0.0.1:${p.port}/ags/bench-course/lineitems`,
      resourceLinkId: 'bench-link', scopes: [AGS_SCOPE.lineItem, AGS_SCOPE.score], lineItem: { label: 'Bench activity', scoreMaximum: 100 },
    },
    score: { scoreGiven: n % 101, scoreMaximum: 100 },
    certificateUrl: `https://accrue.example.edu/certificates/${run}-${n}`,
  };
}

async function enqueueMany(accrue: RunningServer, p: BenchPlatform, run: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i += 500) {
    await accrue.accrue.db.tx(async (q) => {
      for (let n = i; n < Math.min(from + count, i + 500); n++) await accrue.accrue.passback.enqueue(q, item(p, n, run));
    });
  }
}

async function delivered(accrue: RunningServer, platformId: string): Promise<number> {
  const r = await accrue.accrue.db.query<{ n: number }>("SELECT count(*)::int AS n FROM passback_outbox WHERE platform_id = $1 AND status = 'delivered'", [platformId]);
  return r.rows[0]!.n;
}

async function waitDelivered(accrue: RunningServer, platformId: string, target: number, pollMs = 200): Promise<void> {
  while ((await delivered(accrue, platformId)) < target) await sleep(pollMs);
}

async function startAccrue(dbName: string): Promise<RunningServer> {
  const databaseUrl = await freshDatabase(dbName);
  const config = loadConfig({ env: { ...process.env, NODE_ENV: 'development' }, overrides: {
    databaseUrl, dbPoolSize: 20, sandbox: false, logLevel: 'warn', passbackWorker: false, port: 0, publicUrl: 'http://127.0.0.1:0',
  } });
  return startServer({ config, host: '127.0.0.1' });
}

/** The line item and tokens exist before timing starts (both runs and the baselines reuse them). */
async function warmUp(accrue: RunningServer, p: BenchPlatform, run: string): Promise<string> {
  await enqueueMany(accrue, p, `${run}-warm`, 0, 8);
  const w = accrue.accrue.passback.createWorker({ platformIds: [p.id], concurrency: 8 });
  await w.runOnce();
  await w.close();
  const r = await accrue.accrue.db.query<{ lineitem_url: string }>("SELECT lineitem_url FROM passback_outbox WHERE platform_id = $1 AND status = 'delivered' LIMIT 1", [p.id]);
  return r.rows[0]!.lineitem_url;
}

async function partA(): Promise<void> {
  const accrue = await startAccrue('accrue_bench_passback_a');
  const p = await new BenchPlatform().start(accrue, 'a');
  try {
    const lineItemUrl = await warmUp(accrue, p, 'a');
    console.log(`(a) throughput to a platform answering in ${DELAY_MS} ms (${SCORES} scores per outbox run, ${BASELINE_SECONDS} s per baseline run)`);
    const rows: { name: string; perMinute: number }[] = [];

    // Baselines: ltijs Grade.submitScore (no timeout, no outbox), through the same Accrue's ltijs instance.
    const grade = accrue.accrue.lti.core.provider.Grade;
    const idtoken = { iss: p.platform.options.issuer, clientId: p.platform.options.clientId };
    for (const concurrency of [1, 8]) {
      let sent = 0;
      const started = Date.now();
      const deadline = started + BASELINE_SECONDS * 1000;
      await Promise.all(Array.from({ length: concurrency }, async (_x, lane) => {
        for (let n = 0; Date.now() < deadline; n++) {
          await grade.submitScore(idtoken, lineItemUrl, { userId: `ltijs-${concurrency}-${lane}-${n}`, scoreGiven: 50, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
          sent++;
        }
      }));
      const perMinute = (sent / (Date.now() - started)) * 60_000;
      rows.push({ name: `ltijs submitScore, ${concurrency} at a time (no outbox)`, perMinute });
      console.log(`  ${rows.at(-1)!.name.padEnd(46)} ${perMinute.toFixed(0).padStart(6)} scores/min`);
    }

    for (const concurrency of [8, 32]) {
      const run = `a${concurrency}`;
      await enqueueMany(accrue, p, run, 0, SCORES);
      const before = await delivered(accrue, p.id);
      const w: PassbackWorker = accrue.accrue.passback.createWorker({ platformIds: [p.id], concurrency, pollMs: 2000 });
      const started = Date.now();
      w.start();
      await waitDelivered(accrue, p.id, before + SCORES, 100);
      const perMinute = (SCORES / (Date.now() - started)) * 60_000;
      await w.close();
      rows.push({ name: `Accrue outbox worker, concurrency ${concurrency}`, perMinute });
      console.log(`  ${rows.at(-1)!.name.padEnd(46)} ${perMinute.toFixed(0).padStart(6)} scores/min  (ceiling ${(concurrency * 60_000 / DELAY_MS).toFixed(0)})`);
    }
    const [seq, par8, acc8, acc32] = rows.map((r) => r.perMinute) as [number, number, number, number];
    console.log(`  ratio Accrue(8) / ltijs one at a time = ${(acc8 / seq).toFixed(2)}x;  Accrue(8) / ltijs 8 at a time = ${(acc8 / par8).toFixed(2)}x;  Accrue(32) / ltijs one at a time = ${(acc32 / seq).toFixed(2)}x`);
  } finally {
    await p.close();
    await accrue.close();
  }
}

async function drainRun(name: string, circuitThreshold: number): Promise<{ drainSeconds: number; firstSeconds: number; attemptsDuringOutage: number }> {
  const accrue = await startAccrue(`accrue_bench_passback_${name}`);
  const p = await new BenchPlatform().start(accrue, name);
  try {
    await warmUp(accrue, p, name);
    const before = await delivered(accrue, p.id);
    // The production defaults, except the circuit threshold of the baseline.
    const w = accrue.accrue.passback.createWorker({ platformIds: [p.id], circuit: { threshold: circuitThreshold, probeSeconds: 30 } });
    w.start();
    await p.down();
    const outageStarted = Date.now();
    await enqueueMany(accrue, p, name, 0, BACKLOG); // owed while the platform is down
    await sleep(Math.max(0, outageStarted + OUTAGE_SECONDS * 1000 - Date.now()));
    const attempts = await accrue.accrue.db.query<{ n: number }>("SELECT coalesce(sum(attempts), 0)::int AS n FROM passback_outbox WHERE platform_id = $1 AND kind = 'bench' AND idempotency_key NOT LIKE '%-warm:%'", [p.id]);
    const pendingAtRecovery = BACKLOG - ((await delivered(accrue, p.id)) - before);
    await p.up();
    const recovered = Date.now();
    await waitDelivered(accrue, p.id, before + 1, 100);
    const firstSeconds = (Date.now() - recovered) / 1000;
    await waitDelivered(accrue, p.id, before + BACKLOG, 250);
    const drainSeconds = (Date.now() - recovered) / 1000;
    await w.close();
    if (pendingAtRecovery !== BACKLOG) console.log(`  (note: ${BACKLOG - pendingAtRecovery} delivered before recovery?)`);
    return { drainSeconds, firstSeconds, attemptsDuringOutage: attempts.rows[0]!.n };
  } finally {
    await p.close();
    await accrue.close();
  }
}

async function partB(): Promise<void> {
  console.log(`(b) backlog drain: ${BACKLOG} scores owed during a ${OUTAGE_SECONDS} s outage (port closed: connections refused), platform answering in ${DELAY_MS} ms after, worker concurrency 8, backoff 15 s doubling with jitter, cap 1 h`);
  const circuit = await drainRun('circuit', 5);
  console.log(`  with the circuit (5 failures, probe every 30 s):  drained in ${circuit.drainSeconds.toFixed(1)} s after recovery (first score after ${circuit.firstSeconds.toFixed(1)} s); ${circuit.attemptsDuringOutage} delivery attempts during the outage`);
  const plain = await drainRun('nocircuit', 1_000_000_000);
  console.log(`  baseline, circuit disabled (per-score backoff):    drained in ${plain.drainSeconds.toFixed(1)} s after recovery (first score after ${plain.firstSeconds.toFixed(1)} s); ${plain.attemptsDuringOutage} delivery attempts during the outage`);
  console.log(`  ratio: baseline drain / circuit drain = ${(plain.drainSeconds / circuit.drainSeconds).toFixed(2)}x; attempts during the outage: ${(plain.attemptsDuringOutage / Math.max(1, circuit.attemptsDuringOutage)).toFixed(0)}x fewer with the circuit`);
}

async function main() {
  console.log(`bench:passback — Node ${process.version}, PostgreSQL server, ${new Date().toISOString()}`);
  if (PART === 'a' || PART === 'both') await partA();
  if (PART === 'b' || PART === 'both') await partB();
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
