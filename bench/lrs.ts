/**
 * npm run bench:lrs — the embedded LRS on a PostgreSQL server, Accrue in its own process, driven over HTTP by this
 * process. Statements of about 1.5 KB (bench/lrs-data.ts).
 * 1. Stored statements per second for POST /xapi/statements with batches of 1, 10 and 100 at concurrency 8, with
 *    the CPU time each statement cost in the Accrue process and in its PostgreSQL backends (Linux /proc, when the
 *    server is on this machine: where the time goes on a shared machine, where statements/s depends on the others),
 *    and as the baseline in the same run, raw INSERTs of the same JSON documents into a bare table (id uuid primary key,
 *    doc json, as lrs_statement.statement), batches of 100 at concurrency 8 over 8 connections: the ratio is Accrue / baseline.
 * 2. Loads BENCH_STATEMENTS (default 1,000,000) in total: through the API in batches of 100 at concurrency 8, or,
 *    when that would take more than 5 minutes at the rate measured in 1 (or BENCH_LOAD=bulk), through the store's
 *    write path in this process (StatementService.store, batches of 500, 4 at a time: the same SQL without HTTP).
 * 3. p50/p95 latency over that data of GET /xapi/statements?agent=..&verb=..&limit=50 and
 *    GET /xapi/statements?activity=..&related_activities=true&limit=50 (BENCH_QUERIES each, one at a time).
 * Options (env): BENCH_DATABASE_URL (server), BENCH_SECONDS (per throughput run, default 10), BENCH_STATEMENTS,
 * BENCH_QUERIES (default 300), BENCH_LOAD=api|bulk|auto, BENCH_BATCHES (default 1,10,100; must include 100),
 * BENCH_POOL (Accrue's DB_POOL_SIZE; its default when unset).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Pool } from 'pg';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db';
import { createLogger } from '../src/log';
import { createLrs } from '../src/lrs';
import { freePort, freshDatabase, percentile, startChild, startCommand, stopChild } from './lib';
import { ACTIVITIES, AGENTS, agentOf, activityOf, COURSES, courseOf, makeStatement, verbOf } from './lrs-data';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TOTAL = Number(process.env.BENCH_STATEMENTS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const LOAD = process.env.BENCH_LOAD ?? 'auto';
const CONCURRENCY = 8;
const BATCHES = (process.env.BENCH_BATCHES ?? '1,10,100').split(',').map(Number);
const AUTH = `Basic ${Buffer.from('bench:bench-secret').toString('base64')}`;

/** Runs `fn` from `concurrency` loops for `seconds`; returns units done per second and errors. */
async function forSeconds(seconds: number, concurrency: number, fn: () => Promise<number>): Promise<{ perSecond: number; errors: number; done: number }> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      try {
        const n = await fn(); // not `done += await fn()`: that reads `done` before the await and loses updates
        done += n;
      } catch {
        errors++;
      }
    }
  }));
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: done / secs, errors, done };
}

/** CPU seconds (user + system) a process has used so far; undefined where /proc cannot tell (not Linux, other host). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return undefined;
  }
}

/** CPU used by the Accrue process and by its database's backends while `fn` runs (backends present at the end). */
async function withCpu<T>(accruePid: number, backends: () => Promise<number[]>, fn: () => Promise<T>): Promise<{ result: T; accrue?: number; db?: number }> {
  const before = new Map((await backends()).map((p) => [p, cpuSeconds(p)]));
  const accrue0 = cpuSeconds(accruePid); // node itself: startCommand runs no wrapper process
  const result = await fn();
  const accrue1 = cpuSeconds(accruePid);
  let db: number | undefined = 0;
  for (const p of await backends()) {
    const now = cpuSeconds(p);
    if (now === undefined) db = undefined;
    else if (db !== undefined) db += now - (before.get(p) ?? 0);
  }
  return { result, accrue: accrue0 === undefined || accrue1 === undefined ? undefined : accrue1 - accrue0, db };
}

/**
 * Request bodies made before a timed run, each sent once: making ~1.7 KB statements (random ids, JSON text) costs the
 * client about as much CPU as the LRS's own Node work, and on this one machine it would be taken from the LRS. When
 * they run out, bodies are made on the fly.
 */
const ready = new Map<number, Buffer[]>();
const makeBody = (size: number) => Buffer.from(JSON.stringify(Array.from({ length: size }, (_, i) => makeStatement(i))));
function prepareBodies(size: number, statements: number): void {
  const list: Buffer[] = [];
  for (let n = 0; n < statements; n += size) list.push(makeBody(size));
  ready.set(size, list);
}

/** node:http with kept-alive connections, one per concurrent loop: the leanest client, so the LRS gets the CPU. */
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function postBatch(base: string, size: number): Promise<number> {
  const body = ready.get(size)?.pop() ?? makeBody(size);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/xapi/statements`, {
      method: 'POST', agent,
      headers: { Authorization: AUTH, 'X-Experience-API-Version': '2.0.0', 'Content-Type': 'application/json', 'Content-Length': body.length },
    }, (res) => {
      res.resume();
      res.on('error', reject);
      res.on('end', () => (res.statusCode === 200 ? resolve(size) : reject(new Error(`POST answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function timed(url: string): Promise<{ ms: number; count: number }> {
  const t = process.hrtime.bigint();
  const res = await fetch(url, { headers: { Authorization: AUTH, 'X-Experience-API-Version': '2.0.0' } });
  const body = (await res.json()) as { statements: unknown[] };
  if (res.status !== 200) throw new Error(`GET answered ${res.status}`);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, count: body.statements.length };
}

async function latency(name: string, urls: () => string): Promise<void> {
  for (let i = 0; i < 20; i++) await timed(urls()); // warm-up
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < QUERIES; i++) {
    const r = await timed(urls());
    times.push(r.ms);
    rows += r.count;
  }
  times.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(44)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms  p95 ${percentile(times, 95).toFixed(1).padStart(6)} ms  max ${times[times.length - 1]!.toFixed(1)} ms  (${QUERIES} queries, ${(rows / QUERIES).toFixed(1)} statements each)`);
}

async function main() {
  const children: ChildProcess[] = [];
  try {
    const [accrueDb, baselineDb] = await Promise.all([freshDatabase('accrue_bench_lrs'), freshDatabase('accrue_bench_lrs_baseline')]);
    const port = await freePort();
    // Started as `npm start` starts Accrue (its node options: heap sizes, see docs/lrs-operations.md).
    const server = startCommand(path.join(__dirname, 'servers', 'accrue-lrs.ts'));
    children.push(await startChild(server.command, server.args, { PORT: String(port), DATABASE_URL: accrueDb, ...(process.env.BENCH_POOL ? { DB_POOL_SIZE: process.env.BENCH_POOL } : {}) }));
    const base = `http://127.0.0.1:${port}`;
    const size = JSON.stringify(makeStatement(0)).length;
    console.log(`bench:lrs — ${SECONDS}s per run, concurrency ${CONCURRENCY}, statements of ${size} bytes, PostgreSQL server, Node ${process.version}`);
    await forSeconds(3, CONCURRENCY, () => postBatch(base, 10)); // warm-up (JIT, pools, caches)

    const rates: Record<number, number> = {};
    let stored = 0;
    const watcher = new Pool({ connectionString: accrueDb, max: 1 });
    const backends = async () => (await watcher.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((r) => r.pid);
    const us = (s: number | undefined, n: number) => (s === undefined ? '?' : `${Math.round((s * 1e6) / n)} us`);
    for (const batch of BATCHES) {
      prepareBodies(batch, SECONDS * (batch < 10 ? 1_500 : batch < 100 ? 6_000 : 15_000)); // above the rates seen, per second
      const client0 = process.cpuUsage();
      const { result: r, accrue, db } = await withCpu(children[0]!.pid!, backends, () => forSeconds(SECONDS, CONCURRENCY, () => postBatch(base, batch)));
      const client = process.cpuUsage(client0);
      rates[batch] = r.perSecond;
      ready.delete(batch);
      console.log(`  Accrue POST batch ${String(batch).padEnd(4)} ${r.perSecond.toFixed(0).padStart(7)} statements/s  (${r.done} stored, ${r.errors} errors; CPU per statement: Accrue ${us(accrue, r.done)}, PostgreSQL backends ${us(db, r.done)}, this bench client ${us((client.user + client.system) / 1e6, r.done)})`);
    }
    await watcher.end();

    const pool = new Pool({ connectionString: baselineDb, max: CONCURRENCY });
    // The same column type as lrs_statement.statement (json), documents made before the timed run as for Accrue.
    await pool.query('CREATE TABLE raw_statement (id uuid PRIMARY KEY, doc json NOT NULL)');
    const rawBatches: { ids: string[]; docs: string[] }[] = [];
    const rawBatch = () => {
      const docs = Array.from({ length: 100 }, (_, i) => makeStatement(i));
      return { ids: docs.map((d) => d.id as string), docs: docs.map((d) => JSON.stringify(d)) };
    };
    for (let n = 0; n < SECONDS * 40_000; n += 100) rawBatches.push(rawBatch());
    const rawBackends = async () => (await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
    const { result: raw, db: rawDb } = await withCpu(process.pid, rawBackends, () => forSeconds(SECONDS, CONCURRENCY, async () => {
      const batch = rawBatches.pop() ?? rawBatch();
      await pool.query('INSERT INTO raw_statement (id, doc) SELECT * FROM unnest($1::uuid[], $2::json[])', [batch.ids, batch.docs]);
      return 100;
    }));
    await pool.end();
    console.log(`  baseline raw INSERT batch 100 ${raw.perSecond.toFixed(0).padStart(7)} rows/s  (${raw.done} rows, ${raw.errors} errors; CPU per row: PostgreSQL backends ${us(rawDb, raw.done)})`);
    console.log(`  ratio with batches of 100: Accrue / baseline = ${(rates[100]! / raw.perSecond).toFixed(2)}x`);

    // Load up to TOTAL statements.
    const counter = await openDatabase({ databaseUrl: accrueDb, dataDir: '/nonexistent', poolSize: 8 });
    stored = Number((await counter.query<{ n: string }>('SELECT count(*) AS n FROM lrs_statement')).rows[0]!.n);
    const remaining = Math.max(0, TOTAL - stored);
    const apiSeconds = remaining / rates[100]!;
    const useApi = LOAD === 'api' || (LOAD === 'auto' && apiSeconds <= 300);
    console.log(`  loading ${remaining} more statements (to ${TOTAL}) ${useApi ? 'through the API (POST, batches of 100, concurrency 8)' : `through the store's write path in this process (the API would take ~${Math.round(apiSeconds)} s)`}`);
    const loadStart = Date.now();
    let loaded = 0;
    let next = 100_000;
    const progress = () => {
      if (loaded >= next) {
        console.log(`    ${stored + loaded} statements, ${Math.round(loaded / ((Date.now() - loadStart) / 1000))}/s`);
        next += 100_000;
      }
    };
    if (useApi) {
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (loaded < remaining) {
          const n = Math.min(100, remaining - loaded);
          loaded += n;
          await postBatch(base, n).catch(() => (loaded -= n));
          progress();
        }
      }));
    } else {
      const config = loadConfig({ env: { NODE_ENV: 'development' }, overrides: { databaseUrl: accrueDb, publicUrl: base, logLevel: 'warn' } });
      const lrs = createLrs({ db: counter, config, log: createLogger({ level: 'warn' }) });
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (loaded < remaining) {
          const n = Math.min(500, remaining - loaded);
          loaded += n;
          await lrs.statements.store(Array.from({ length: n }, (_, i) => makeStatement(i)));
          progress();
        }
      }));
    }
    const loadSecs = (Date.now() - loadStart) / 1000;
    stored = Number((await counter.query<{ n: string }>('SELECT count(*) AS n FROM lrs_statement')).rows[0]!.n);
    console.log(`  loaded in ${loadSecs.toFixed(0)} s (${Math.round(remaining / loadSecs)}/s); lrs_statement holds ${stored} statements`);
    await counter.query('ANALYZE');
    await counter.close();

    const rnd = (n: number) => Math.floor(Math.random() * n);
    const skew = (n: number) => Math.min(n - 1, Math.floor(Math.exp(Math.random() * Math.log(n + 1)) - 1));
    console.log(`  queries over ${stored} statements (${AGENTS} agents, 50 verbs, ${ACTIVITIES} activities in ${COURSES} courses):`);
    await latency('agent + verb, limit 50', () =>
      `${base}/xapi/statements?agent=${encodeURIComponent(JSON.stringify(agentOf(rnd(AGENTS))))}&verb=${encodeURIComponent(verbOf(skew(50)))}&limit=50`);
    await latency('activity (a course) + related_activities, limit 50', () =>
      `${base}/xapi/statements?activity=${encodeURIComponent(courseOf(rnd(ACTIVITIES)))}&related_activities=true&limit=50`);
    await latency('activity (a module) + related_activities, limit 50', () =>
      `${base}/xapi/statements?activity=${encodeURIComponent(activityOf(rnd(ACTIVITIES)))}&related_activities=true&limit=50`);
  } finally {
    for (const c of children) stopChild(c);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
