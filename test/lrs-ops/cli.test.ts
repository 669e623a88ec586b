/**
 * The LRS command line: credentials, purge by date, actor erasure, their audit and log line, and the refusal on an
 * embedded database held by a running Accrue. See cli-world.ts for where the commands run.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { openDatabase } from '../../src/db';
import { CredentialService } from '../../src/lrs/credentials';
import { CredentialStore } from '../../src/lrs/store-credentials';
import { cliWorld, type CliWorld } from './cli-world';
import { activity, mbox, statement, uid } from './helpers';

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const withAttachment = <S extends object>(s: S, content: Buffer) => ({
  ...s, attachments: [{ usageType: 'http://example.org/usage/evidence', display: { 'en-US': 'evidence' }, contentType: 'text/plain', length: content.length, sha2: sha256(content) }],
});
/** A random day in the 1990s: statements moved there are this test's alone. */
const oldDay = () => `199${Math.floor(Math.random() * 10)}-0${1 + Math.floor(Math.random() * 8)}-1${Math.floor(Math.random() * 9)}`;
const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe('LRS command line', function () {
  this.timeout(180_000);
  let world: CliWorld;
  before(() => {
    world = cliWorld();
  });

  it('when an administrator adds, lists and revokes a credential, then the LRS accepts it until it is revoked', async () => {
    const key = `cli-${uid()}`;
    const added = await world.run('lrs', 'credential', 'add', '--key', key, '--scopes', 'statements/write,statements/read/mine', '--name', 'Content vendor');
    expect(added.code, added.err.join('\n')).to.equal(0);
    const secret = /Secret \(shown only now\): (\S+)/.exec(added.out.join('\n'))?.[1];
    expect(secret).to.be.a('string');
    const listed = await world.run('lrs', 'credential', 'list');
    const line = listed.out.find((l) => l.startsWith(key))!;
    expect(line).to.contain('Content vendor').and.contain('statements/write,statements/read/mine');
    expect(listed.out.join('\n')).to.not.contain(secret!);
    const header = `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
    const check = () => world.withLrs((_lrs, db) => new CredentialService({ store: new CredentialStore(db), publicUrl: world.config.publicUrl }).authenticate(header).then(() => 'ok', (e: Error & { httpStatus?: number }) => e.httpStatus));
    expect(await check()).to.equal('ok');
    const revoked = await world.run('lrs', 'credential', 'revoke', key);
    expect(revoked.code).to.equal(0);
    expect(await check()).to.equal(401);
    expect((await world.run('lrs', 'credential', 'revoke', key)).code).to.equal(1);
    const given = await world.run('lrs', 'credential', 'add', '--key', `cli-${uid()}`, '--secret', 'a-given-secret', '--scopes', 'all');
    expect(given.out.join('\n')).to.not.contain('a-given-secret');
    const bad = await world.run('lrs', 'credential', 'add', '--scopes', 'everything');
    expect(bad.code).to.equal(2);
    expect(bad.err.join('\n')).to.match(/Scopes must be among/);
  });

  it('when statements stored before a date are purged, then the dry run counts them, the run deletes them with their index rows, what they voided and unused attachments, and both are audited', async () => {
    const day = oldDay();
    const shared = Buffer.from(`shared ${uid()}`);
    const own = Buffer.from(`own ${uid()}`);
    const ids = await world.withLrs(async (lrs, db) => {
      const plain = statement();
      const withOwn = withAttachment(statement(), own);
      const withShared = withAttachment(statement(), shared);
      const laterShared = withAttachment(statement(), shared);
      const target = statement();
      const kept = statement();
      await lrs.statements.store([plain, withOwn, withShared, laterShared, target, kept], {
        parts: [{ sha2: sha256(own), contentType: 'text/plain', content: own }, { sha2: sha256(shared), contentType: 'text/plain', content: shared }],
      });
      const voiding = { ...statement(), verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: target.id } };
      await lrs.statements.store([voiding]);
      const old = [plain.id, withOwn.id, withShared.id, voiding.id];
      await db.query(`UPDATE lrs_statement SET stored = $2::timestamptz WHERE id = ANY($1::uuid[])`, [old, `${day}T08:00:00Z`]);
      return { old, target: target.id, kept: [laterShared.id, kept.id] };
    });
    const before = dayAfter(day);

    const admin = `test-admin-${uid()}`;
    const dry = await world.run('lrs', 'purge', '--before', before, '--dry-run', '--by', admin);
    expect(dry.code, dry.err.join('\n')).to.equal(0);
    expect(dry.out.join('\n')).to.contain(`Dry run: 4 statement(s) stored before ${before} would be deleted, and 1 later statement(s) they void`);
    const present = (list: string[]) => world.withLrs(async (_l, db) => (await db.query(`SELECT count(*)::int AS n FROM lrs_statement WHERE id = ANY($1::uuid[])`, [list])).rows[0]!.n as number);
    expect(await present([...ids.old, ids.target])).to.equal(5);

    const run = await world.run('lrs', 'purge', '--before', before, '--by', admin);
    expect(run.code, run.err.join('\n')).to.equal(0);
    expect(run.out.join('\n')).to.contain(`Deleted 4 statement(s) stored before ${before}, 1 statement(s) they voided, and 1 attachment(s) no longer used`);
    expect(await present([...ids.old, ids.target])).to.equal(0);
    expect(await present(ids.kept)).to.equal(2);
    await world.withLrs(async (_l, db) => {
      const orphans = await db.query(`SELECT count(*)::int AS n FROM lrs_statement_agent a LEFT JOIN lrs_statement s ON s.seq = a.statement_seq WHERE s.seq IS NULL`);
      expect(orphans.rows[0]!.n).to.equal(0);
      const att = await db.query<{ sha2: string }>(`SELECT sha2 FROM lrs_attachment WHERE sha2 = ANY($1::text[])`, [[sha256(own), sha256(shared)]]);
      expect(att.rows.map((r) => r.sha2)).to.deep.equal([sha256(shared)]);
      const audit = await db.query<{ phase: string; ran_by: string; counts: Record<string, number> }>(
        `SELECT phase, ran_by, counts FROM lrs_audit WHERE action = 'purge' AND ran_by = $1 ORDER BY id DESC LIMIT 3`, [admin]);
      expect(audit.rows.map((r) => r.phase)).to.deep.equal(['finished', 'started', 'dry-run']);
      expect(audit.rows[0]!.counts).to.deep.equal({ statements: 4, voidedTargets: 1, attachments: 1 });
    });
    const logged = run.err.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'lrs purge')!;
    expect(logged).to.include({ action: 'purge', phase: 'finished', ranBy: admin });
    expect(logged.counts).to.deep.equal({ deleted: 4, voidedDeleted: 1, attachments: 1 });
    expect(logged.criteriaHash).to.match(/^[0-9a-f]{64}$/);
  });

  it('when one person is erased, then statements about them (by any identifier) are deleted, mentions are pseudonymised, their documents go, and the log holds no personal data', async () => {
    const email = mbox();
    const account = { homePage: 'https://lms.example.org', name: `learner-${uid()}` };
    const sha1 = crypto.createHash('sha1').update(email).digest('hex');
    const other = { objectType: 'Agent', mbox: mbox() };
    const course = activity();
    const ids = await world.withLrs(async (lrs) => {
      const s = {
        byMbox: statement({ actor: { objectType: 'Agent', name: 'Ann Erase', mbox: email } }),
        bySha1: statement({ actor: { objectType: 'Agent', mbox_sha1sum: sha1 } }),
        byAccount: statement({ actor: { objectType: 'Agent', account } }),
        asObject: statement({ actor: other, verb: 'http://adlnet.gov/expapi/verbs/mentored', object: { objectType: 'Agent', mbox: email } }),
        asInstructor: statement({ actor: other, object: { objectType: 'Activity', id: course }, context: { instructor: { objectType: 'Agent', name: 'Ann Erase', mbox: email } } }),
        inTeam: statement({ actor: other, object: { objectType: 'Activity', id: course }, context: { team: { objectType: 'Group', member: [{ objectType: 'Agent', account }, other] } } }),
        unrelated: statement({ actor: other }),
      };
      // Someone else's statement about one of the person's statements: kept, but no longer indexed under them.
      const refToPerson = statement({ actor: other, verb: 'http://example.org/verbs/reviewed', object: { objectType: 'StatementRef', id: s.byMbox.id } });
      await lrs.statements.store([...Object.values(s), refToPerson]);
      await lrs.documents.put({ kind: 'state', activityId: course, agentKey: `mbox:${email}`, registration: '', docId: 'bookmark' },
        { contentType: 'application/json', content: Buffer.from('{"page":3}') }, { pre: {}, family: '1.0' });
      return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.id])) as Record<keyof typeof s, string>;
    });
    const person = JSON.stringify({ objectType: 'Person', mbox: [email], account: [account] });

    const dpo = `dpo-${uid()}`;
    const dry = await world.run('lrs', 'erase', '--actor', person, '--dry-run', '--by', dpo);
    expect(dry.code, dry.err.join('\n')).to.equal(0);
    expect(dry.out.join('\n')).to.contain('would delete 4 statement(s) about this person').and.contain('1 document(s)').and.contain('2 other statement(s) mentioning them would be pseudonymised');
    const statementOf = (id: string) => world.withLrs(async (lrs) => (await lrs.statements.get(id, { voided: false }))?.statement);
    expect(await statementOf(ids.byMbox)).to.not.equal(undefined);

    const run = await world.run('lrs', 'erase', '--actor', person, '--by', dpo);
    expect(run.code, run.err.join('\n')).to.equal(0);
    for (const id of [ids.byMbox, ids.bySha1, ids.byAccount, ids.asObject]) expect(await statementOf(id), id).to.equal(undefined);
    const instructor = (await statementOf(ids.asInstructor)) as { context: { instructor: Record<string, unknown> } };
    expect(instructor.context.instructor).to.deep.equal({ objectType: 'Agent', account: { homePage: `${world.config.publicUrl}/`, name: 'erased' } });
    const team = (await statementOf(ids.inTeam)) as { context: { team: { member: Record<string, unknown>[] } } };
    expect(team.context.team.member[0]).to.deep.equal({ objectType: 'Agent', account: { homePage: `${world.config.publicUrl}/`, name: 'erased' } });
    expect(team.context.team.member[1]).to.deep.equal(other);
    expect(await statementOf(ids.unrelated)).to.not.equal(undefined);
    await world.withLrs(async (_l, db) => {
      const keys = [`mbox:${email}`, `mbox_sha1sum:${sha1}`, `account:${JSON.stringify([account.homePage, account.name])}`];
      const index = await db.query(`SELECT count(*)::int AS n FROM lrs_statement_agent WHERE agent_key = ANY($1::text[])`, [keys]);
      expect(index.rows[0]!.n).to.equal(0);
      const docs = await db.query(`SELECT count(*)::int AS n FROM lrs_document WHERE agent_key = ANY($1::text[])`, [keys]);
      expect(docs.rows[0]!.n).to.equal(0);
      const audit = await db.query<{ phase: string; counts: Record<string, number>; criteria_hash: string }>(
        `SELECT phase, counts, criteria_hash FROM lrs_audit WHERE action = 'erase' AND ran_by = $1 ORDER BY id DESC LIMIT 2`, [dpo]);
      expect(audit.rows.map((r) => r.phase)).to.deep.equal(['finished', 'dry-run']);
      expect(audit.rows[0]!.counts).to.include({ statements: 4, redacted: 2, documents: 1 });
      expect(audit.rows[0]!.criteria_hash).to.equal(audit.rows[1]!.criteria_hash);
    });
    const logText = run.err.join('\n');
    expect(logText).to.contain('"msg":"lrs erase"');
    for (const personal of [email, account.name, sha1, 'Ann Erase']) expect(logText).to.not.contain(personal);
  });

  it('when someone tries to change or delete the audit, then the database refuses', async () => {
    const who = `audit-test-${uid()}`;
    await world.withLrs((_l, db) => db.query(`INSERT INTO lrs_audit (action, phase, ran_by, criteria_hash) VALUES ('purge', 'dry-run', $1, 'x')`, [who]));
    // One connection per attempt: on embedded PGlite the query after a failed one loses its socket connection.
    for (const sql of [`UPDATE lrs_audit SET ran_by = 'someone else' WHERE ran_by = $1`, `DELETE FROM lrs_audit WHERE ran_by = $1`, 'TRUNCATE lrs_audit']) {
      const err = await world.withLrs((_l, db) => db.query(sql, sql.includes('$1') ? [who] : []).then(() => undefined, (e: Error) => e));
      expect(err?.message, sql).to.match(/append-only/);
    }
    const left = await world.withLrs((_l, db) => db.query(`SELECT count(*)::int AS n FROM lrs_audit WHERE ran_by = $1`, [who]));
    expect(left.rows[0]!.n).to.equal(1);
  });

  it('when the arguments are wrong, then the command says what is expected and exits 2', async () => {
    const cases: [string[], RegExp][] = [
      [['lrs', 'purge'], /--before YYYY-MM-DD is required/],
      [['lrs', 'purge', '--before', '2024-02-30'], /--before must be a date as YYYY-MM-DD/],
      [['lrs', 'erase', '--actor', '{"name":"no identifier"}'], /at least one identifier/],
      [['lrs', 'erase', '--actor', 'ann@example.org'], /--actor must be a JSON Agent/],
      [['lrs', 'credential', 'rotate'], /expected add, list or revoke/],
    ];
    for (const [argv, message] of cases) {
      const r = await world.run(...argv);
      expect(r.code, argv.join(' ')).to.equal(2);
      expect(r.err.join('\n'), argv.join(' ')).to.match(message);
    }
  });

  it('when Accrue holds an embedded DATA_DIR, then the CLI refuses it with a clear message instead of opening it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-held-'));
    const held = await openDatabase({ databaseUrl: '', dataDir, poolSize: 1 });
    try {
      const tsx = path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
      const child = spawn(tsx, [path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.ts'), 'lrs', 'credential', 'list'], {
        env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: '', DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).to.equal(1);
      expect(err).to.contain(`The embedded database in ${dataDir} is in use by another Accrue process (pid ${process.pid})`);
      expect(err).to.contain('run Accrue on a PostgreSQL server (DATABASE_URL), where the CLI works while Accrue runs');
    } finally {
      await held.close();
    }
  });
});
