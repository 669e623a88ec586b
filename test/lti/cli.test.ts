import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/types';
import type { Config } from '../../src/config';
import { startServer, type RunningServer } from '../../src/main';
import { SandboxPlatform } from '../../src/sandbox';
import { testConfig } from '../helpers/db';
import { harness, serve } from '../helpers/harness';
import { launch, learner } from '../helpers/launch';

/** Runs the CLI in-process as `npm run accrue -- ...` would, capturing its output. */
async function cli(argv: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdin: Readable.from([]), out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await runCli(argv, io, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const envOf = (config: Config): NodeJS.ProcessEnv => ({ NODE_ENV: 'test', DATABASE_URL: config.databaseUrl, DATA_DIR: config.dataDir });

/**
 * An LMS whose address is known before the tool it launches: the administrator registers it with the CLI first,
 * then the platform learns the tool's URLs (`attach`). It is the same real platform the harness uses.
 */
async function hostPlatform() {
  const app = express();
  let routes: express.Router | undefined;
  app.use((req, res, next) => (routes ? routes(req, res, next) : next()));
  const served = await serve(app);
  const ids = { clientId: `cli-client-${crypto.randomUUID()}`, deploymentId: `cli-deployment-${crypto.randomUUID()}` };
  return {
    ...ids,
    url: served.url,
    close: served.close,
    addArgs: (name: string) => [
      'platform', 'add', '--issuer', served.url, '--client-id', ids.clientId, '--name', name,
      '--auth-url', `${served.url}/auth`, '--token-url', `${served.url}/token`, '--jwks-url', `${served.url}/jwks`,
    ],
    async attach(target: RunningServer): Promise<SandboxPlatform> {
      const platform = await new SandboxPlatform({
        db: target.accrue.db, issuer: served.url, ...ids, name: 'CLI LMS',
        tool: { loginUrl: `${target.url}/lti/login`, launchUrl: `${target.url}/lti/launch`, jwksUrl: `${target.url}/lti/keys` },
      }).init();
      routes = platform.router();
      return platform;
    },
  };
}

const idFrom = (out: string) => /Added platform ([0-9a-f]+)/.exec(out)?.[1] ?? '';

/** The login initiation alone: status and page of Accrue's answer. */
async function tryLogin(accrueUrl: string, platform: SandboxPlatform) {
  const url = new URL(platform.loginUrl(learner()));
  return request(accrueUrl).get(url.pathname + url.search);
}

describe('Platform and deployment CLI', function () {
  this.timeout(120_000);

  describe('when the input is wrong (checked before the database is opened)', () => {
    it('when a required flag is missing, then it exits 2 naming every missing flag', async () => {
      const r = await cli(['platform', 'add', '--issuer', 'https://lms.example.edu', '--client-id', 'c'], envOf(harness().config));
      expect(r.code).to.equal(2);
      expect(r.err).to.contain('Missing --name, --auth-url, --token-url, --jwks-url').and.contain('Usage: npm run accrue -- platform add');
    });

    it('when a URL flag is not an http(s) URL, then it exits 2 naming the flag', async () => {
      const r = await cli(['platform', 'add', '--issuer', 'https://lms.example.edu', '--client-id', 'c', '--name', 'n',
        '--auth-url', 'ftp://lms.example.edu/auth', '--token-url', 'https://lms.example.edu/token', '--jwks-url', 'https://lms.example.edu/jwks'], envOf(harness().config));
      expect(r.code).to.equal(2);
      expect(r.err).to.contain('--auth-url must be an http(s) URL');
    });

    it('when an option is misspelt or an argument is missing or extra, then it exits 2 and says which', async () => {
      const env = envOf(harness().config);
      const typo = await cli(['platform', 'list', '--client_id', 'x'], env);
      expect(typo.code).to.equal(2);
      expect(typo.err).to.contain('Unknown option: --client_id');
      const missing = await cli(['deployment', 'add', 'abc'], env);
      expect(missing.code).to.equal(2);
      expect(missing.err).to.contain('Missing DEPLOYMENT_ID');
      const extra = await cli(['platform', 'activate', 'a', 'b'], env);
      expect(extra.code).to.equal(2);
      expect(extra.err).to.contain('Unexpected argument: b');
      const unknown = await cli(['platform', 'enable', 'a'], env);
      expect(unknown.code).to.equal(2);
      expect(unknown.err).to.contain('Unknown command: platform enable');
    });
  });

  describe('on the suite database while Accrue is running on it', () => {
    it('when Accrue holds the embedded DATA_DIR, then the CLI refuses with "in use by another Accrue process" and Accrue keeps working', async function () {
      const { accrue, config } = harness();
      if (accrue.accrue.db.kind !== 'embedded') this.skip();
      const before = (await accrue.accrue.lti.registry.list()).length;
      const r = await cli(['platform', 'list'], envOf(config));
      expect(r.code).to.equal(1);
      expect(r.err).to.contain(`The embedded database in ${config.dataDir} is in use by another Accrue process (pid ${process.pid})`)
        .and.contain('DATABASE_URL');
      const host = await hostPlatform();
      const refusedAdd = await cli(host.addArgs('Refused LMS'), envOf(config)).finally(() => host.close());
      expect(refusedAdd.code).to.equal(1);
      expect(refusedAdd.err).to.contain('in use by another Accrue process');
      // The lock is still the server's and its database still answers.
      expect(fs.readFileSync(path.join(config.dataDir, 'accrue.lock'), 'utf8')).to.equal(String(process.pid));
      const health = (await request(accrue.url).get('/healthz')).body as { status: string; database: unknown };
      expect(health.status).to.equal('ok');
      expect(health.database).to.deep.equal({ kind: 'embedded', reachable: true });
      expect((await accrue.accrue.lti.registry.list()).length).to.equal(before);
    });

    it('when an administrator adds a platform with the CLI, then its launches succeed; deactivated, undeployed or removed, they are refused', async function () {
      const { accrue, config } = harness();
      if (accrue.accrue.db.kind !== 'server') this.skip();
      const env = envOf(config);
      const host = await hostPlatform();
      try {
        const added = await cli([...host.addArgs('CLI LMS'), '--deployment', host.deploymentId, '--deployment', 'second-deployment'], env);
        expect(added.code, added.err).to.equal(0);
        const id = idFrom(added.out);
        expect(id).to.match(/^[0-9a-f]{32}$/);
        expect(added.out).to.contain('active').and.contain(`Deployments: ${host.deploymentId}, second-deployment`);
        const platform = await host.attach(accrue);

        const listed = await cli(['platform', 'list'], env);
        expect(listed.code).to.equal(0);
        const row = listed.out.split('\n').find((l) => l.startsWith(id));
        expect(row).to.contain('CLI LMS').and.contain(host.url).and.contain(host.clientId).and.contain('yes').and.contain(`${host.deploymentId}, second-deployment`);
        expect(listed.out.split('\n')[0]).to.match(/^ID\s+NAME\s+ISSUER\s+CLIENT ID\s+ACTIVE\s+DEPLOYMENTS$/);

        const ok = await launch(accrue.url, platform, learner());
        expect(ok.res.status).to.equal(303);
        expect(ok.location).to.match(/^\/learner\?s=/);
        expect((await ok.agent.get(ok.location)).status).to.equal(200);

        expect((await cli(['platform', 'deactivate', id], env)).out).to.contain('is now inactive');
        const refused = await tryLogin(accrue.url, platform);
        expect(refused.status).to.equal(403);
        expect(refused.text).to.contain('PLATFORM_NOT_ACTIVE');
        expect((await cli(['platform', 'deactivate', id], env)).out).to.contain('already inactive');
        expect((await cli(['platform', 'activate', id], env)).code).to.equal(0);
        expect((await launch(accrue.url, platform, learner())).res.status).to.equal(303);

        const removedDeployment = await cli(['deployment', 'remove', id, host.deploymentId], env);
        expect(removedDeployment.code).to.equal(0);
        const remaining = (await cli(['deployment', 'list', id], env)).out;
        expect(remaining).to.contain('second-deployment');
        expect(remaining).to.not.contain(host.deploymentId);
        const undeployed = await tryLogin(accrue.url, platform);
        expect(undeployed.status).to.equal(403);
        expect(undeployed.text).to.contain('UNKNOWN_DEPLOYMENT');
        expect((await cli(['deployment', 'add', id, host.deploymentId], env)).out).to.contain(`Added deployment ${host.deploymentId}`);
        expect((await cli(['deployment', 'add', id, host.deploymentId], env)).out).to.contain('already registered');
        expect((await launch(accrue.url, platform, learner())).res.status).to.equal(303);

        const duplicate = await cli(host.addArgs('Again'), env);
        expect(duplicate.code).to.equal(2);
        expect(duplicate.err).to.contain('already registered');

        const removed = await cli(['platform', 'remove', id], env);
        expect(removed.code).to.equal(0);
        expect(removed.out).to.contain(`Removed platform ${id}`).and.contain('2 deployments');
        const gone = await tryLogin(accrue.url, platform);
        expect(gone.status).to.equal(400);
        expect(gone.text).to.contain('UNKNOWN_PLATFORM');
        expect((await cli(['platform', 'list'], env)).out).to.not.contain(id);
        const keys = (await request(accrue.url).get('/lti/keys')).body as { keys: { kid: string }[] };
        expect(keys.keys.map((k) => k.kid)).to.not.include(id);
      } finally {
        await host.close();
      }
    });

    it('when an id is unknown, then every command naming it exits 2 and says so', async function () {
      const { accrue, config } = harness();
      if (accrue.accrue.db.kind !== 'server') this.skip();
      const env = envOf(config);
      const unknown = crypto.randomBytes(16).toString('hex');
      for (const argv of [['platform', 'activate', unknown], ['platform', 'deactivate', unknown], ['platform', 'remove', unknown],
        ['deployment', 'add', unknown, 'd'], ['deployment', 'remove', unknown, 'd'], ['deployment', 'list', unknown]]) {
        const r = await cli(argv, env);
        expect(r.code, argv.join(' ')).to.equal(2);
        expect(r.err).to.contain(`No platform with id ${unknown}`);
      }
      const known = accrue.accrue.lti.registry;
      const { lms } = harness();
      const noSuchDeployment = await cli(['deployment', 'remove', lms.id, 'no-such-deployment'], env);
      expect(noSuchDeployment.code).to.equal(2);
      expect(noSuchDeployment.err).to.contain('has no deployment no-such-deployment');
      expect((await known.deployments(lms.id)).map((d) => d.deploymentId)).to.include(lms.platform.options.deploymentId);
    });
  });

  describe('on its own embedded DATA_DIR (no server holds it)', () => {
    it('when the CLI manages platforms on a fresh PGlite folder, then Accrue started there accepts the launch it allows', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-cli-'));
      const env: NodeJS.ProcessEnv = { NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: '' };
      const host = await hostPlatform();
      let server: RunningServer | undefined;
      try {
        expect((await cli(['platform', 'list'], env)).out).to.contain('No platforms registered');
        const added = await cli([...host.addArgs('Embedded LMS'), '--inactive'], env);
        expect(added.code, added.err).to.equal(0);
        expect(added.out).to.contain('inactive').and.contain('No deployment yet');
        const id = idFrom(added.out);
        // A CLI run with another secret than the one the stored keys use would write keys the server cannot read.
        const otherHost = await hostPlatform();
        const wrongSecret = await cli(otherHost.addArgs('Wrong secret LMS'), { ...env, ACCRUE_SECRET: 'not-the-secret-this-database-uses-0123' })
          .finally(() => otherHost.close());
        expect(wrongSecret.code).to.equal(1);
        expect(wrongSecret.err).to.contain('ACCRUE_SECRET: the stored tool keys were encrypted with another secret');
        expect((await cli(['platform', 'list'], env)).out).to.not.contain('Wrong secret LMS');
        expect((await cli(['deployment', 'add', id, host.deploymentId], env)).code).to.equal(0);
        expect((await cli(['deployment', 'list', id], env)).out).to.match(new RegExp(`${host.deploymentId}\\s+yes`));
        const unknownId = await cli(['platform', 'activate', crypto.randomBytes(16).toString('hex')], env);
        expect(unknownId.code).to.equal(2);
        expect(unknownId.err).to.contain('No platform with id');
        const unknownDeployment = await cli(['deployment', 'remove', id, 'no-such-deployment'], env);
        expect(unknownDeployment.code).to.equal(2);
        expect(unknownDeployment.err).to.contain('has no deployment no-such-deployment');
        expect((await cli(['platform', 'activate', id], env)).out).to.contain('is now active');
        const row = (await cli(['platform', 'list'], env)).out.split('\n').find((l) => l.startsWith(id));
        expect(row).to.contain('Embedded LMS').and.contain('yes').and.contain(host.deploymentId);
        expect(fs.existsSync(path.join(dataDir, 'accrue.lock')), 'the CLI releases the folder').to.equal(false);

        server = await startServer({ config: testConfig({ dataDir, databaseUrl: '', publicUrl: 'http://127.0.0.1:0', sandbox: false }), host: '127.0.0.1' });
        const platform = await host.attach(server);
        const ok = await launch(server.url, platform, learner());
        expect(ok.res.status).to.equal(303);
        expect(ok.location).to.match(/^\/learner\?s=/);
        // While this server holds the folder, the CLI refuses; once it stops, the CLI works again.
        expect((await cli(['platform', 'remove', id], env)).err).to.contain('in use by another Accrue process');
        await server.close();
        server = undefined;
        const removed = await cli(['platform', 'remove', id], env);
        expect(removed.code, removed.err).to.equal(0);
        expect((await cli(['platform', 'list'], env)).out).to.contain('No platforms registered');
      } finally {
        await server?.close();
        await host.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});
