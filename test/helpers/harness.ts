/**
 * The running world of the suite: one Accrue instance on a real port and database, and one LMS ("the test
 * platform") on another origin, a real LTI platform that signs with its own RSA key. Started once in the root hooks.
 * Tests that need more (another platform, a second instance) make their own.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Config } from '../../src/config';
import { startServer, type RunningServer } from '../../src/main';
import { ROLES, SandboxPlatform } from '../../src/sandbox';
import { testConfig } from './db';

export interface TestPlatform {
  platform: SandboxPlatform;
  url: string;
  id: string;
  close(): Promise<void>;
}

let accrue: RunningServer | undefined;
let lms: TestPlatform | undefined;

export function harness(): { accrue: RunningServer; lms: TestPlatform; config: Config } {
  if (!accrue || !lms) throw new Error('harness not started (root hooks)');
  return { accrue, lms, config: accrue.accrue.config };
}

/** Serves an express app on 127.0.0.1 at a free port. */
export async function serve(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/**
 * Starts an LTI platform on its own origin and, unless `register` is false, registers it with `target`.
 * The platform is third-party code from Accrue's point of view; it only speaks LTI over HTTP.
 */
export async function startPlatform(target: RunningServer, options: { clientId?: string; deploymentId?: string; register?: boolean; registrationToken?: string; issuer?: string; active?: boolean } = {}): Promise<TestPlatform> {
  const app = express();
  let routes: express.Router | undefined;
  app.use((req, res, next) => (routes ? routes(req, res, next) : next()));
  const served = await serve(app);
  const platform = await new SandboxPlatform({
    db: target.accrue.db,
    issuer: options.issuer ?? served.url,
    clientId: options.clientId ?? `client-${crypto.randomUUID()}`,
    deploymentId: options.deploymentId ?? `deployment-${crypto.randomUUID()}`,
    tool: { loginUrl: `${target.url}/lti/login`, launchUrl: `${target.url}/lti/launch`, jwksUrl: `${target.url}/lti/keys` },
    registrationToken: options.registrationToken,
    name: 'Test LMS',
  }).init();
  routes = platform.router();
  let id = '';
  if (options.register !== false) {
    const rec = await target.accrue.lti.registry.register({
      issuer: platform.options.issuer, clientId: platform.options.clientId, name: 'Test LMS',
      authEndpoint: platform.authEndpoint, tokenEndpoint: platform.tokenEndpoint,
      authConfig: { method: 'JWK_SET', key: platform.jwksUrl }, deploymentIds: [platform.options.deploymentId], active: options.active ?? true,
    });
    id = rec.id;
    await target.accrue.lti.refreshPlatforms();
  }
  return { platform, url: served.url, id, close: served.close };
}

export async function startHarness(): Promise<void> {
  accrue = await startServer({ config: testConfig({ publicUrl: 'http://127.0.0.1:0', sandbox: false }), host: '127.0.0.1' });
  lms = await startPlatform(accrue);
}

export async function stopHarness(): Promise<void> {
  await lms?.close();
  await accrue?.close();
}

export { ROLES };
