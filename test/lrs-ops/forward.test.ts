/**
 * Forwarding to external LRSs over real HTTP: a second Accrue instance on the suite's database, configured with two
 * targets (fake LRSs in this process, one speaking 2.0.0 and one 1.0.3). Statements are POSTed to that instance's
 * /xapi; its forwarding workers deliver them. The fakes store each id once and count every PUT they receive.
 */
import { expect } from 'chai';
import request from 'supertest';
import { runCli } from '../../src/cli/main';
import type { ForwardWorker, ForwardWorkerOptions } from '../../src/lrs/forward';
import { startServer, type RunningServer } from '../../src/main';
import { testConfig } from '../helpers/db';
import { harness } from '../helpers/harness';
import { startFakeLrs, type FakeLrs } from './fake-lrs';
import { credentialOn, post, statement, uid, until } from './helpers';

describe('LRS forwarding to external LRSs', function () {
  this.timeout(60_000);
  let modern: FakeLrs;
  let legacy: FakeLrs;
  let accrue: RunningServer;
  let auth: string;
  const names = { modern: `modern-${uid().slice(0, 8)}`, legacy: `legacy-${uid().slice(0, 8)}` };
  const workers: ForwardWorker[] = [];

  const worker = (o: Partial<ForwardWorkerOptions> = {}) => {
    const w = accrue.accrue.lrs.forward.createWorker({ concurrency: 4, pollMs: 30, httpTimeoutMs: 1000, backoff: { baseSeconds: 0.2, maxSeconds: 1 }, drainMs: 500, ...o });
    workers.push(w);
    return w;
  };
  const status = async (name: string) => (await accrue.accrue.lrs.forward.status()).find((t) => t.name === name)!;
  const arrivedOnce = (fake: FakeLrs, ids: string[]) => ids.every((id) => fake.stored.has(id));

  before(async () => {
    modern = await startFakeLrs({ key: 'modern-key', secret: 'modern-secret' });
    legacy = await startFakeLrs({ key: 'legacy-key', secret: 'legacy-secret' });
    accrue = await startServer({
      db: harness().accrue.accrue.db, host: '127.0.0.1',
      config: testConfig({
        publicUrl: 'http://127.0.0.1:0', sandbox: false, lrsForwardWorker: false,
        lrsForwardTargets: [
          { name: names.modern, endpoint: modern.endpoint, key: modern.key, secret: modern.secret, version: '2.0.0' },
          { name: names.legacy, endpoint: legacy.endpoint, key: legacy.key, secret: legacy.secret, version: '1.0.3' },
        ],
      }),
    });
    auth = await credentialOn(accrue);
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    modern.mode = 'ok';
    legacy.mode = 'ok';
  });

  after(async () => {
    await accrue?.close();
    await modern?.close();
    await legacy?.close();
  });

  it('when statements are stored, then two workers deliver each one exactly once to every target, ids kept, in each target\'s version', async () => {
    const before = await status(names.modern);
    const sent = Array.from({ length: 24 }, () => statement({ context: { contextAgents: [{ objectType: 'contextAgent', agent: { objectType: 'Agent', mbox: `mailto:${uid()}@example.org` } }] } }));
    const ids = [...(await post(accrue, auth, sent.slice(0, 12))), ...(await post(accrue, auth, sent.slice(12)))];
    worker().start();
    worker().start();
    await until('both targets hold every statement', () => arrivedOnce(modern, ids) && arrivedOnce(legacy, ids));
    await until('the outbox is empty for both', async () => (await status(names.modern)).pending + (await status(names.legacy)).pending === 0);
    for (const id of ids) {
      expect(modern.puts.get(id), `PUTs of ${id} to the 2.0.0 target`).to.equal(1);
      expect(legacy.puts.get(id), `PUTs of ${id} to the 1.0.3 target`).to.equal(1);
    }
    expect(modern.stored.get(ids[0]!)!.id).to.equal(sent[0]!.id);
    expect(modern.stored.get(ids[0]!)!.context).to.have.property('contextAgents');
    expect(legacy.stored.get(ids[0]!)!.context ?? {}).to.not.have.property('contextAgents');
    expect(legacy.stored.get(ids[0]!)!.version).to.equal('1.0.3');
    expect(modern.stored.get(ids[0]!)!).to.not.have.property('authority');
    expect([...modern.versions]).to.include('2.0.0');
    expect([...legacy.versions]).to.deep.equal(['1.0.3']);
    const after = await status(names.modern);
    expect(after.delivered - before.delivered).to.equal(24);
    expect(after.state).to.equal('ok');
  });

  it('when the external LRS is down (500), then nothing is lost, the status says failing with the error, and the backlog drains once it recovers', async () => {
    modern.mode = 'down';
    const ids = await post(accrue, auth, Array.from({ length: 15 }, () => statement()));
    worker().start();
    await until('the target is seen failing', async () => (await status(names.modern)).lastError === 'HTTP 500');
    const failing = await status(names.modern);
    expect(failing.state).to.equal('failing');
    expect(failing.pending + failing.failing).to.be.at.least(15);
    expect(failing.pausedUntil).to.be.a('string');
    const health = await request(accrue.url).get('/healthz');
    expect(health.body.lrsForward.failing + health.body.lrsForward.pending).to.be.at.least(15);
    expect(ids.every((id) => !modern.stored.has(id))).to.equal(true);

    modern.mode = 'ok';
    await until('every statement arrived after the outage', () => arrivedOnce(modern, ids));
    await until('the target is healthy again', async () => (await status(names.modern)).state === 'ok');
    expect(ids.filter((id) => modern.stored.has(id))).to.have.length(15);
  });

  it('when the external LRS stalls, then the call times out, the target is failing, and the statement is delivered after it answers again', async () => {
    legacy.mode = 'stall';
    const [id] = await post(accrue, auth, [statement()]);
    worker({ httpTimeoutMs: 300 }).start();
    await until('the stall is reported', async () => /no answer within 300 ms/.test((await status(names.legacy)).lastError ?? ''));
    legacy.mode = 'ok';
    await until('the statement arrived', () => legacy.stored.has(id!));
    expect(legacy.puts.get(id!)).to.be.at.least(2);
  });

  it('when the external LRS stored a statement but its answer was lost, then the redelivery meets 409 with the same statement and counts it delivered', async () => {
    modern.mode = 'store-then-500';
    const [id] = await post(accrue, auth, [statement()]);
    const w = worker();
    await accrue.accrue.lrs.forward.ready();
    await until('the first attempt reached the target', async () => {
      await w.runOnce();
      return modern.puts.get(id!) === 1;
    });
    modern.mode = 'ok';
    await until('the statement is no longer owed', async () => {
      await w.runOnce();
      const { rows } = await accrue.accrue.db.query(`SELECT 1 FROM lrs_forward_outbox WHERE statement_id = $1 AND target = $2`, [id, names.modern]);
      return rows.length === 0;
    });
    expect(modern.puts.get(id!)).to.equal(2);
    expect([...modern.stored.keys()].filter((k) => k === id)).to.have.length(1);
  });

  it('when the external LRS refuses one statement (400), then only that statement backs off and shows the error; the target stays usable', async () => {
    legacy.mode = 'reject';
    const [id] = await post(accrue, auth, [statement()]);
    const w = worker();
    await until('the refusal is recorded', async () => {
      await w.runOnce();
      const { rows } = await accrue.accrue.db.query<{ last_error: string | null; due: boolean }>(
        `SELECT last_error, next_attempt_at > now() AS due FROM lrs_forward_outbox WHERE statement_id = $1 AND target = $2`, [id, names.legacy]);
      return rows[0]?.last_error === 'HTTP 400';
    });
    const s = await status(names.legacy);
    expect(s.failing).to.be.at.least(1);
    expect(s.pausedUntil).to.equal(null);
    legacy.mode = 'ok';
    w.start();
    await until('the statement arrived once the target accepted it', () => legacy.stored.has(id!));
  });

  it('when a worker dies holding leased statements, then another worker takes them over after the lease and delivers each once', async () => {
    const ids = await post(accrue, auth, Array.from({ length: 5 }, () => statement()));
    await accrue.accrue.lrs.forward.ready();
    // What a crash leaves behind: rows claimed under a lease by a worker that never reports.
    const claimed = await accrue.accrue.lrs.forward.store.claim({ target: names.modern, workerId: 'crashed-worker', limit: 100, leaseSeconds: 1 });
    expect(claimed.map((c) => c.statementId)).to.include.members(ids);
    worker().start();
    await until('the leased statements arrived', () => arrivedOnce(modern, ids));
    for (const id of ids) expect(modern.puts.get(id)).to.equal(1);
  });

  it('when Accrue is closed with a backlog and another instance starts, then the backlog is delivered by the new instance', async () => {
    const ids = await post(accrue, auth, Array.from({ length: 6 }, () => statement()));
    const next = await startServer({ db: harness().accrue.accrue.db, host: '127.0.0.1', config: { ...accrue.accrue.config, port: 0, publicUrl: 'http://127.0.0.1:0', lrsForwardWorker: true, lrsForwardPollMs: 30 } });
    try {
      await until('the new instance delivered the backlog', () => arrivedOnce(modern, ids) && arrivedOnce(legacy, ids));
    } finally {
      await next.close();
    }
    for (const id of ids) expect(modern.puts.get(id)).to.equal(1);
  });

  it('when an administrator asks for the forwarding status on the command line, then each target shows its counts and last error', async function () {
    if (!accrue.accrue.config.databaseUrl) this.skip(); // embedded: the suite's DATA_DIR is held (see cli.test.ts for PGlite)
    const out: string[] = [];
    const env = { ...process.env, NODE_ENV: 'test', LRS_FORWARD_TARGETS: JSON.stringify(accrue.accrue.config.lrsForwardTargets) };
    const code = await runCli(['lrs', 'forward', 'status'], { stdin: process.stdin, out: (l) => out.push(l), err: (l) => out.push(l) }, env);
    expect(code).to.equal(0);
    const line = out.find((l) => l.startsWith(names.modern))!;
    expect(line).to.match(/pending \d+, failing \d+, delivered \d+/);
    expect(out.join('\n')).to.not.contain('modern-secret');
  });
});
