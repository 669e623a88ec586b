import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { openDatabase } from '../../src/db';
import { AGS_SCOPE } from '../../src/lti';
import type { PassbackItem } from '../../src/passback';
import { harness } from '../helpers/harness';
import { startFaultyPlatform, type FaultyPlatform } from './platform';

const FIXTURE = path.join(__dirname, 'fixtures', 'worker-process.ts');

interface Child { proc: ChildProcess; ready: { pid: number; platformId: string; entryId: string; workerId: string }; exited: Promise<number | null> }

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts an Accrue process (tsx) with a running passback worker; resolves when it says it is ready. */
async function startAccrueProcess(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const ready = await new Promise<Child['ready']>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the Accrue process did not start: ${err}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"ready":true'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Child['ready']);
      }
    });
    void exited.then((code) => reject(new Error(`the Accrue process exited with ${code}: ${err}`)));
  });
  return { proc, ready, exited };
}

describe('Passback across a crash: a worker process killed mid-delivery loses no score and sends none twice', () => {
  let lms: FaultyPlatform | undefined;
  const children: Child[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
      await c.exited;
    }
    await lms?.close();
  });

  it('when the worker process is SIGKILLed after leasing a score and another one starts, then the score is delivered exactly once', async function () {
    this.timeout(120_000);
    const { accrue, config } = harness();
    const server = accrue.accrue.db.kind === 'server';
    // On a PostgreSQL server the Accrue processes share the test's database (the platform is registered there);
    // embedded, the database belongs to the Accrue process and survives it in its DATA_DIR, as in production.
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-crash-'));
    lms = await startFaultyPlatform(accrue, { register: server, toolUrl: server ? accrue.url : `http://127.0.0.1:${port}` });
    const sub = `learner-${crypto.randomUUID()}`;
    const item: PassbackItem = {
      idempotencyKey: `claim:${crypto.randomUUID()}:award`, kind: 'award',
      target: {
        platformId: '', userSub: sub, lineItemsUrl: `${lms.url}/ags/course-1/lineitems`, resourceLinkId: `link-${crypto.randomUUID()}`,
        scopes: [AGS_SCOPE.lineItem, AGS_SCOPE.score], lineItem: { label: 'Crash course', scoreMaximum: 100 },
      },
      score: { scoreGiven: 88, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded' },
      certificateUrl: 'https://accrue.example.edu/certificates/crash',
    };
    const env = {
      PORT: String(port), LOG_LEVEL: 'silent', ACCRUE_SECRET: config.secret || '',
      ...(server ? { DATABASE_URL: config.databaseUrl } : { DATABASE_URL: '', DATA_DIR: dataDir }),
      FIXTURE_PLATFORM: JSON.stringify({
        issuer: lms.platform.options.issuer, clientId: lms.platform.options.clientId, deploymentId: lms.platform.options.deploymentId,
        authEndpoint: lms.platform.authEndpoint, tokenEndpoint: lms.platform.tokenEndpoint, jwksUrl: lms.platform.jwksUrl,
      }),
      FIXTURE_ENQUEUE: JSON.stringify(item),
    };

    lms.faults.score = 'stall';
    const first = await startAccrueProcess(env);
    children.push(first);
    await lms.waitFor(() => lms!.stalled.length === 1, 30_000); // claimed, leased, score POST on the wire
    if (server) {
      const row = await accrue.accrue.passback.store.get(first.ready.entryId);
      expect(row).to.include({ status: 'pending', lockedBy: first.ready.workerId, attempts: 1 });
      expect(row!.lockedUntil!.getTime()).to.be.greaterThan(Date.now());
    }
    first.proc.kill('SIGKILL');
    await first.exited;
    await lms.waitFor(() => lms!.stalled.length === 0); // the dead process's connection is gone; the LMS never stored it

    lms.faults.score = 'pass';
    const second = await startAccrueProcess(env); // enqueues the same award again at start: a no-op
    children.push(second);
    expect(second.ready.entryId).to.equal(first.ready.entryId);
    await lms.waitFor(() => lms!.forwarded.score >= 1, 30_000);
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would arrive by now
    expect(lms.arrived.score).to.equal(2); // the one that died on the wire, and the one delivered
    expect(lms.forwarded.score).to.equal(1);
    const scores = await lms.gradebook(sub);
    expect(scores).to.have.length(1);
    expect(scores[0]).to.include({ scoreGiven: 88 });

    second.proc.kill('SIGTERM');
    expect(await second.exited).to.equal(0);
    const db = server ? accrue.accrue.db : await openDatabase({ databaseUrl: '', dataDir, poolSize: 1 });
    try {
      const row = await db.query<{ status: string; attempts: number; locked_by: string | null }>(
        'SELECT status, attempts, locked_by FROM passback_outbox WHERE id = $1', [second.ready.entryId]);
      expect(row.rows[0]).to.deep.equal({ status: 'delivered', attempts: 2, locked_by: null });
    } finally {
      if (!server) await db.close();
    }
  });
});
