/**
 * `npm run accrue -- export ...` run in-process (runCli). On a PostgreSQL server the CLI shares the suite's database
 * while Accrue runs; on embedded PGlite the running suite holds DATA_DIR, so the CLI gets a fresh one of its own.
 * Either way the state is seeded through the application's own cipher and read back from the files and the record.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCli } from '../../src/cli/main';
import { loadConfig } from '../../src/config';
import { openDatabase, type Db } from '../../src/db';
import { PiiCipher } from '../../src/learning';
import { resolveSecret } from '../../src/secret';
import { harness } from '../helpers/harness';
import { parseCsv } from './fixtures';

const UAN = 'JA0006235-9999-25-076-H01-P';

async function seed(db: Db, env: NodeJS.ProcessEnv) {
  const cipher = new PiiCipher(await resolveSecret(db, loadConfig({ env })));
  const platformId = `cli-platform-${crypto.randomUUID().slice(0, 8)}`;
  const activityId = crypto.randomUUID();
  await db.query(`INSERT INTO activity (id, platform_id, context_id, title, learning_format, status, created_by) VALUES ($1, $2, 'cli-course', 'Opioid stewardship', 'course', 'published', 'cli-test')`, [activityId, platformId]);
  await db.query(`INSERT INTO activity_designation (id, activity_id, credit_type, max_amount, acpe_uan, acpe_activity_type, acpe_audience) VALUES ($1, $2, 'ACPE', 2, $3, 'knowledge', 'P')`, [crypto.randomUUID(), activityId, UAN]);
  const learner = async (sub: string, name: string, ids: { nabpEprofileId: string; birthMonth: number; birthDay: number }) => {
    await db.query(`INSERT INTO learner_profile (platform_id, sub, profession, degree, protected) VALUES ($1, $2, 'pharmacist', 'PharmD', $3)`, [platformId, sub, cipher.encrypt(ids, { platformId, sub })]);
    await db.query(`INSERT INTO lms_person (platform_id, sub, name, source) VALUES ($1, $2, $3, 'nrps')`, [platformId, sub, name]);
    const enrollmentId = crypto.randomUUID();
    await db.query(`INSERT INTO enrollment (id, activity_id, platform_id, sub, registration, step, completed_at) VALUES ($1, $2, $3, $4, $5, 'done', now())`, [enrollmentId, activityId, platformId, sub, crypto.randomUUID()]);
    await db.query(`INSERT INTO credit_claim (id, enrollment_id, credit_type, claimed_minutes, attested_text_version, attested_at, computed_amount, awarded_amount, unit, status, rule_version, completion_date)
      VALUES ($1, $2, 'ACPE', 90, 'default-1', now(), 1.5, 1.5, 'contact-hour', 'awarded', 'test', current_date)`, [crypto.randomUUID(), enrollmentId]);
  };
  await learner('pharm-good', 'Greta Good', { nabpEprofileId: '1234567', birthMonth: 11, birthDay: 3 });
  await learner('pharm-bad', 'Bert Bad', { nabpEprofileId: '12', birthMonth: 11, birthDay: 3 });
  return { platformId, activityId };
}

describe('CLI: export', function () {
  this.timeout(120_000);
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let seeded: { platformId: string; activityId: string };
  let ownDb: Db | undefined;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-cli-export-'));
    const suiteDb = harness().accrue.accrue.db;
    if (suiteDb.kind === 'server') {
      env = { ...process.env, NODE_ENV: 'test' };
      seeded = await seed(suiteDb, env);
    } else {
      env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: '', DATA_DIR: path.join(dir, 'data') };
      ownDb = await openDatabase({ databaseUrl: '', dataDir: env.DATA_DIR!, poolSize: 1 });
      seeded = await seed(ownDb, env);
      await ownDb.close();
    }
  });

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['export', ...argv], { stdin: process.stdin, out: (l) => out.push(l), err: (l) => err.push(l) }, env);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('when `export cpe` runs, then the file has the valid learner, progress lines go to stderr, and a second run finds nothing new (exit 2)', async () => {
    const file = path.join(dir, 'cpe.csv');
    const r = await cli('cpe', '--activity', seeded.activityId, '--out', file, '--user', 'registrar-ann');
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.match(/^export [0-9a-f-]{36}: 1 rows, \d+ bytes, sha256 [0-9a-f]{64} -> /);
    expect(r.err).to.contain('progress 0/2 rows (0%)').and.contain('progress 2/2 rows (100%)');
    const rows = parseCsv(fs.readFileSync(file, 'utf8'));
    expect(rows.slice(1).map((x) => [x[0], x[1], x[2], x[4], x[6]])).to.deep.equal([['1234567', '1103', UAN, '1.50', 'Good']]);
    expect(fs.existsSync(`${file}.partial`)).to.equal(false);

    const again = await cli('cpe', '--activity', seeded.activityId, '--out', path.join(dir, 'cpe2.csv'));
    expect(again.code).to.equal(2);
    expect(again.err).to.contain('already been sent');
    expect(fs.existsSync(path.join(dir, 'cpe2.csv'))).to.equal(false);

    const corr = await cli('cpe', '--activity', seeded.activityId, '--include-reported', '--out', path.join(dir, 'cpe3.csv'));
    expect(corr.code, corr.err).to.equal(0);
    const list = await cli('list', '--limit', '5');
    expect(list.code).to.equal(0);
    expect(list.out).to.match(/cpe_monitor\s+correction\s+complete\s+1 claims\s+cli:/).and.match(/cpe_monitor\s+new\s+complete\s+1 claims\s+cli:registrar-ann/);
  });

  it('when `export problems` runs, then the learner with a malformed e-Profile id is listed with the 60-day deadline', async () => {
    const r = await cli('problems', '--target', 'cpe');
    expect(r.code).to.equal(0);
    const line = r.out.split('\n').find((l) => l.includes('pharm-bad') && l.includes('Opioid stewardship'));
    expect(line).to.match(/closes \d{4}-\d{2}-\d{2} \(60 days\)/).and.contain('malformed NABP e-Profile ID');
    expect(r.out).not.to.contain('1234567');
  });

  it('when `export transcript` runs for an activity (CSV) and a learner (PDF), then the files are written; bad usage exits 2', async () => {
    const csv = path.join(dir, 't.csv');
    const r = await cli('transcript', '--activity', seeded.activityId, '--out', csv);
    expect(r.code, r.err).to.equal(0);
    const rows = parseCsv(fs.readFileSync(csv, 'utf8'));
    expect(rows.filter((x) => x[0] === 'claim').map((x) => x[2]).sort()).to.deep.equal(['pharm-bad', 'pharm-good']);
    expect(rows.find((x) => x[0] === 'total')?.slice(7, 11)).to.deep.equal(['ACPE', 'ACPE contact hours', '3', 'contact-hour']);
    const pdf = path.join(dir, 't.pdf');
    const p = await cli('transcript', '--platform', seeded.platformId, '--sub', 'pharm-good', '--format', 'pdf', '--out', pdf);
    expect(p.code, p.err).to.equal(0);
    expect(fs.readFileSync(pdf).subarray(0, 5).toString()).to.equal('%PDF-');
    expect((await cli('transcript', '--out', csv)).code).to.equal(2);
    expect((await cli('transcript', '--activity', 'nope', '--out', csv)).code).to.equal(2);
    expect((await cli('pars')).code).to.equal(2);
  });
});

describe('CLI: what an export loads', function () {
  this.timeout(60_000);

  it('when the export group runs, then only its feature is loaded (no ltijs, pdfkit, express or pages), and every command is found through its group', () => {
    // A fresh process (this one has the whole app loaded), as `npm run accrue` starts one.
    const script = `const { commands } = require('./src/cli/commands');
      const all = commands();
      const unmapped = all.filter((c) => !commands(c.group).some((x) => x.name === c.name)).map((c) => c.group + ' ' + c.name);
      for (const k of Object.keys(require.cache)) delete require.cache[k];
      require('./src/cli/commands').commands('export');
      const loaded = Object.keys(require.cache).filter((k) => /node_modules\\/(ltijs|pdfkit|express|sanitize-html)\\/|src\\/(activities|learning|lti|lrs)\\/(index|routes)\\.ts/.test(k));
      process.stdout.write(JSON.stringify({ count: all.length, unmapped, loaded }));`;
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    const r = JSON.parse(out) as { count: number; unmapped: string[]; loaded: string[] };
    expect(r.count).to.be.greaterThan(20);
    expect(r.unmapped).to.deep.equal([]);
    expect(r.loaded).to.deep.equal([]);
  });
});
