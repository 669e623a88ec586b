import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { startServer, type RunningServer } from '../../src/main';
import { testConfig } from '../helpers/db';
import { harness, startPlatform, type TestPlatform } from '../helpers/harness';
import { authorize, launch, learner, postLaunch, startLogin } from '../helpers/launch';

type Backend = 'A' | 'B';

/**
 * A load balancer in front of two Accrue instances: one public URL, each request sent to the instance `route`
 * picks, every hit recorded. Plain node http, streaming both ways, headers untouched.
 */
async function startBalancer() {
  const backends: Partial<Record<Backend, string>> = {};
  const hits: { path: string; backend: Backend }[] = [];
  let route: (path: string) => Backend = () => 'A';
  const server = http.createServer((req, res) => {
    const backend = route(req.url ?? '/');
    hits.push({ path: (req.url ?? '/').split('?')[0]!, backend });
    const target = new URL(backends[backend]!);
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    backends,
    hits,
    routeBy(fn: (path: string) => Backend) {
      route = fn;
    },
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

/** Where an instance really listens (its `url` is the public URL, the balancer's). */
const directUrl = (s: RunningServer) => `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;

const MODES = [
  { name: 'sharing one Db object', ownPoolForB: false },
  { name: 'B with its own pool on the same PostgreSQL server', ownPoolForB: true },
];

describe('Two Accrue instances on one database behind one public URL', function () {
  this.timeout(60_000);

  for (const mode of MODES) {
    describe(mode.name, () => {
      let balancer: Awaited<ReturnType<typeof startBalancer>>;
      let a: RunningServer;
      let b: RunningServer;
      let lms: TestPlatform;

      before(async function () {
        const { accrue, config } = harness();
        // Embedded PGlite is one process's database: a second pool cannot open it, so only a shared Db applies.
        if (mode.ownPoolForB && accrue.accrue.db.kind !== 'server') this.skip();
        balancer = await startBalancer();
        const instanceConfig = () => testConfig({ publicUrl: balancer.url, sandbox: false });
        a = await startServer({ config: instanceConfig(), db: accrue.accrue.db, host: '127.0.0.1' });
        b = mode.ownPoolForB
          ? await startServer({ config: testConfig({ publicUrl: balancer.url, sandbox: false, databaseUrl: config.databaseUrl }), host: '127.0.0.1' })
          : await startServer({ config: instanceConfig(), db: accrue.accrue.db, host: '127.0.0.1' });
        expect(b.accrue.db === accrue.accrue.db).to.equal(!mode.ownPoolForB);
        balancer.backends.A = directUrl(a);
        balancer.backends.B = directUrl(b);
        // The platform knows the tool only by the public URL; it is registered through instance A.
        lms = await startPlatform(a);
      });

      after(async () => {
        await lms?.close();
        await b?.close();
        await a?.close();
        await balancer?.close();
      });

      it('when the login initiation reaches A and the id_token POST and landing page reach B, then the launch succeeds', async () => {
        balancer.routeBy((path) => (path.startsWith('/lti/login') ? 'A' : 'B'));
        balancer.hits.length = 0;
        const scenario = learner({ name: 'Split Launch', resourceLinkTitle: 'Across instances' });
        const { res, location, agent } = await launch(balancer.url, lms.platform, scenario);
        expect(res.status, res.text).to.equal(303);
        expect(location).to.match(/^\/learner\?s=/);
        const page = await agent.get(location);
        expect(page.status).to.equal(200);
        expect(page.text).to.contain('Split Launch').and.contain('Across instances');
        expect(balancer.hits.map((h) => `${h.path}@${h.backend}`)).to.deep.equal(['/lti/login@A', '/lti/launch@B', '/learner@B']);
      });

      it('when a launch accepted on B is replayed on A, then A refuses it (the login state is used once across instances)', async () => {
        balancer.routeBy((path) => (path.startsWith('/lti/login') ? 'A' : 'B'));
        const login = await startLogin(balancer.url, lms.platform, learner());
        const fields = await authorize(login);
        expect((await postLaunch(login, fields)).status).to.equal(303);
        balancer.routeBy(() => 'A');
        balancer.hits.length = 0;
        const replay = await postLaunch(login, fields);
        expect(balancer.hits).to.deep.equal([{ path: '/lti/launch', backend: 'A' }]);
        expect(replay.status).to.equal(401);
        expect(replay.text).to.contain('UNKNOWN_STATE');
      });

      it('when a learner launched through A, then their session token opens their page on B, and the reverse', async () => {
        balancer.routeBy(() => 'A');
        const onA = await launch(balancer.url, lms.platform, learner({ name: 'Session From A' }));
        expect(onA.res.status).to.equal(303);
        const pageOnB = await request(directUrl(b)).get(`/learner?s=${encodeURIComponent(onA.token)}`);
        expect(pageOnB.status).to.equal(200);
        expect(pageOnB.text).to.contain('Session From A');

        balancer.routeBy(() => 'B');
        const onB = await launch(balancer.url, lms.platform, learner({ name: 'Session From B' }));
        expect(onB.res.status).to.equal(303);
        const pageOnA = await request(directUrl(a)).get('/learner').set('Authorization', `Bearer ${onB.token}`);
        expect(pageOnA.status).to.equal(200);
        expect(pageOnA.text).to.contain('Session From B');
      });
    });
  }
});
