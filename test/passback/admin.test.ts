import { expect } from 'chai';
import request from 'supertest';
import { parseArgs, runCli } from '../../src/cli/main';
import { CliUsageError, type CliContext } from '../../src/cli/types';
import { AppError } from '../../src/errors';
import { COMMANDS } from '../../src/cli/commands';
import { harness, ROLES } from '../helpers/harness';
import { launch, learner } from '../helpers/launch';
import { startFaultyPlatform, type FaultyPlatform } from './platform';
import { enqueue, entry, launchAs, scoreItem, workerFor } from './util';

/**
 * Runs a CLI command. On a PostgreSQL server: the whole `npm run accrue -- ...` path (runCli opens its own pool).
 * Embedded PGlite serves one process, held by the suite's Accrue: the command runs on that database, and its
 * errors are read as runCli reads them (usage or 4xx: exit 2).
 */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { accrue, config } = harness();
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdin: process.stdin, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  if (accrue.accrue.db.kind === 'server') {
    const code = await runCli(argv, io, { ...process.env, NODE_ENV: 'test', DATABASE_URL: config.databaseUrl });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }
  const { positional, flags } = parseArgs(argv);
  const [group, name, ...args] = positional;
  const cmd = COMMANDS.find((c) => c.group === group && c.name === name)!;
  const ctx: CliContext = { config, args, flags, io, db: async () => accrue.accrue.db, flagList: (n: string) => (flags[n] === undefined ? [] : [flags[n]!]) };
  try {
    return { code: await cmd.run(ctx), out: out.join('\n'), err: err.join('\n') };
  } catch (e) {
    const usage = e instanceof CliUsageError || (e instanceof AppError && e.httpStatus < 500);
    return { code: usage ? 2 : 1, out: out.join('\n'), err: (e as Error).message };
  }
}

describe('Passback administration: /admin/passback and the CLI', () => {
  let lms: FaultyPlatform;
  let adminToken: string;
  const ids: Record<'delivered' | 'failing' | 'failed', string> = { delivered: '', failing: '', failed: '' };
  before(async function () {
    this.timeout(60_000);
    lms = await startFaultyPlatform(harness().accrue);
    adminToken = (await launch(harness().accrue.url, lms.platform, learner({ roles: ROLES.admin }))).token;
    ids.delivered = (await enqueue(scoreItem(await launchAs(lms.platform), { scoreGiven: 64 }))).id;
    await workerFor([lms.id]).runOnce();
    lms.faults.score = 'fail';
    ids.failing = (await enqueue(scoreItem(await launchAs(lms.platform)))).id;
    await workerFor([lms.id]).runOnce();
    lms.faults.score = { status: 404 };
    ids.failed = (await enqueue(scoreItem(await launchAs(lms.platform)))).id;
    await workerFor([lms.id], { circuit: { threshold: 100, probeSeconds: 60 } }).runOnce();
    lms.faults.score = 'pass';
  });
  after(async () => lms?.close());

  it('when an administrator opens the page, then each score shows its status, attempts and last error', async () => {
    const res = await request(harness().accrue.url).get(`/admin/passback?s=${adminToken}`);
    expect(res.status).to.equal(200);
    const row = (id: string) => new RegExp(`<tr data-entry="${id}">([\\s\\S]*?)</tr>`).exec(res.text)?.[1] ?? '';
    expect(row(ids.delivered)).to.contain('status-delivered').and.contain('64 / 100');
    expect(row(ids.failing)).to.contain('status-failing').and.contain('score request with HTTP 500').and.contain('Send again');
    expect(row(ids.failed)).to.contain('status-failed').and.contain('HTTP 404');
    expect(res.text).to.match(/failing \(\d+\)/);
  });

  it('when the page is filtered by status, then only that status is listed', async () => {
    const res = await request(harness().accrue.url).get(`/admin/passback?s=${adminToken}&status=failed`);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain(`data-entry="${ids.failed}"`).and.not.contain(`data-entry="${ids.failing}"`).and.not.contain(`data-entry="${ids.delivered}"`);
    const bad = await request(harness().accrue.url).get(`/admin/passback?s=${adminToken}&status=lost`);
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('Unknown status').and.not.match(/at \w+ \(/);
  });

  it('when a learner or an instructor opens the page, then it is refused; without a session it asks for one', async () => {
    const { accrue } = harness();
    const learnerToken = (await launch(accrue.url, lms.platform, learner())).token;
    const instructorToken = (await launch(accrue.url, lms.platform, learner({ roles: ROLES.instructor }))).token;
    expect((await request(accrue.url).get(`/admin/passback?s=${learnerToken}`)).status).to.equal(403);
    expect((await request(accrue.url).get(`/admin/passback?s=${instructorToken}`)).status).to.equal(403);
    expect((await request(accrue.url).get('/admin/passback')).status).to.equal(401);
    expect((await request(accrue.url).post(`/admin/passback/${ids.failed}/retry`).type('form').send({ s: learnerToken })).status).to.equal(403);
  });

  it('when an administrator sends a failed score again, then it is due now and the next run delivers it once', async () => {
    const { accrue } = harness();
    const res = await request(accrue.url).post(`/admin/passback/${ids.failed}/retry`).type('form').send({ s: adminToken });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.match(new RegExp(`^/admin/passback\\?s=[^&]+&retried=${ids.failed}$`));
    const page = await request(accrue.url).get(res.headers.location!);
    expect(page.text).to.contain(`Entry ${ids.failed} is due now.`);
    expect(await entry(ids.failed)).to.include({ status: 'pending' });
    await workerFor([lms.id]).runOnce();
    expect(await entry(ids.failed)).to.include({ status: 'delivered' });
    const e = await entry(ids.failed);
    expect(await lms.gradebook(e.userSub)).to.have.length(1);
  });

  it('when an unknown or a superseded entry is sent again, then the answer says why (404, 409)', async () => {
    const { accrue } = harness();
    const missing = await request(accrue.url).post('/admin/passback/999999999/retry').type('form').send({ s: adminToken });
    expect(missing.status).to.equal(404);
    const l = await launchAs(lms.platform);
    const old = await enqueue(scoreItem(l, { scoreGiven: 10 }));
    await enqueue(scoreItem(l, { scoreGiven: 20 }));
    const superseded = await request(accrue.url).post(`/admin/passback/${old.id}/retry`).type('form').send({ s: adminToken });
    expect(superseded.status).to.equal(409);
    expect(superseded.text).to.contain('superseded by a newer score');
  });

  it('when the CLI lists failing scores, then it shows them with their last error; `retry ID` makes one due', async () => {
    const list = await cli(['passback', 'list', '--status', 'failing', '--limit', '1000']);
    expect(list.code).to.equal(0);
    const line = list.out.split('\n').find((l) => l.startsWith(`${ids.failing} `));
    expect(line).to.match(/failing/).and.match(/\| The platform answered the score request with HTTP 500/);
    expect(list.out).to.not.match(new RegExp(`^${ids.delivered} `, 'm'));

    const retry = await cli(['passback', 'retry', ids.failing]);
    expect(retry).to.include({ code: 0 });
    expect(retry.out).to.contain(`Entry ${ids.failing} is due now`);
    expect((await entry(ids.failing)).nextAttemptAt!.getTime()).to.be.at.most(Date.now() + 1000);
    await workerFor([lms.id]).runOnce();
    expect(await entry(ids.failing)).to.include({ status: 'delivered' });
  });

  it('when the CLI gets a bad status, id or an unknown entry, then it exits 2 with a clear message', async () => {
    expect(await cli(['passback', 'list', '--status', 'lost'])).to.include({ code: 2 });
    const badId = await cli(['passback', 'retry', 'abc']);
    expect(badId.code).to.equal(2);
    expect(badId.err).to.contain('ID must be the number');
    const unknown = await cli(['passback', 'retry', '999999999']);
    expect(unknown.code).to.equal(2);
    expect(unknown.err).to.contain('No passback entry with id 999999999');
  });
});
