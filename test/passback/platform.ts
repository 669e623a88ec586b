/**
 * A test LMS for passback: the real sandbox LTI platform (token endpoint that checks the tool's client assertion,
 * line items, scores kept in sandbox_score) behind a fault-injecting layer that can fail (500), stall (never
 * answer), drop the connection or slow down each kind of AGS request, and counts what arrives.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express from 'express';
import type { RunningServer } from '../../src/main';
import { SandboxPlatform, type LaunchScenario } from '../../src/sandbox';
import { serve } from '../helpers/harness';

/** pass; fail = 500; stall = hold the request unanswered (until releaseStalled or the client gives up); drop = reset the connection. */
export type Fault = 'pass' | 'fail' | 'stall' | 'drop' | { delayMs: number } | { status: number };
export type Route = 'token' | 'lineitems-get' | 'lineitems-post' | 'score';

/** The sandbox platform, announcing itself as another LMS product (tool_platform, LTI 1.3 Core 5.4.5). */
class ProductPlatform extends SandboxPlatform {
  constructor(options: ConstructorParameters<typeof SandboxPlatform>[0], private readonly product: { productFamilyCode?: string; lineItem?: (s: LaunchScenario) => string | undefined }) {
    super(options);
  }

  override claims(s: LaunchScenario & { nonce: string }): Record<string, unknown> {
    const c = super.claims(s);
    const tp = c['https://purl.imsglobal.org/spec/lti/claim/tool_platform'] as Record<string, unknown>;
    if (this.product.productFamilyCode) tp.product_family_code = this.product.productFamilyCode;
    const lineItem = this.product.lineItem?.(s);
    if (lineItem) (c['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'] as Record<string, unknown>).lineitem = lineItem;
    return c;
  }
}

export interface FaultyPlatform {
  platform: SandboxPlatform;
  id: string;
  url: string;
  faults: Record<Route, Fault>;
  /** Requests that reached the fault layer, by route (before any fault). */
  arrived: Record<Route, number>;
  /** Requests the fault layer let through to the platform. */
  forwarded: Record<Route, number>;
  /** Requests being held by a stall, until the client gives up, releaseStalled() or close(). */
  stalled: IncomingMessage[];
  /** Lets the held requests through to the platform, as a platform that was only slow would. */
  releaseStalled(): void;
  /** The AGS `lineitem` URL this platform puts in its launches (default none: only `lineitems`). */
  launchLineItem?: (s: LaunchScenario) => string | undefined;
  /** The most requests of one route the platform was answering at the same time. */
  maxConcurrent: Record<Route, number>;
  setAll(fault: Fault): void;
  /** Scores stored in this platform's gradebook for a user, oldest first. */
  gradebook(userId: string): Promise<Record<string, unknown>[]>;
  lineItems(): Promise<{ id: string; resourceLinkId: string | null; label: string }[]>;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const routeOf = (req: express.Request): Route | null => {
  if (req.method === 'POST' && req.path === '/token') return 'token';
  if (/^\/ags\/[^/]+\/lineitems\/[^/]+\/scores$/.test(req.path) && req.method === 'POST') return 'score';
  if (/^\/ags\/[^/]+\/lineitems$/.test(req.path)) return req.method === 'GET' ? 'lineitems-get' : 'lineitems-post';
  return null;
};

/**
 * Starts the platform; it registers with `target` unless `register` is false. `toolUrl` is where the tool's login,
 * launch and keyset are (default: `target`'s), for a tool running elsewhere (another process).
 */
export async function startFaultyPlatform(target: RunningServer, options: { productFamilyCode?: string; register?: boolean; toolUrl?: string } = {}): Promise<FaultyPlatform> {
  const tool = options.toolUrl ?? target.url;
  const zero = (): Record<Route, number> => ({ token: 0, 'lineitems-get': 0, 'lineitems-post': 0, score: 0 });
  const faults: Record<Route, Fault> = { token: 'pass', 'lineitems-get': 'pass', 'lineitems-post': 'pass', score: 'pass' };
  const arrived = zero();
  const forwarded = zero();
  const current = zero();
  const maxConcurrent = zero();
  const stalled: IncomingMessage[] = [];
  const held = new Map<IncomingMessage, () => void>();
  const app = express();
  let routes: express.Router | undefined;
  app.use((req, res, next) => {
    const route = routeOf(req);
    if (!route) return next();
    arrived[route]++;
    const fault = faults[route];
    if (fault === 'fail') return res.status(500).json({ error: 'injected failure' });
    if (fault === 'drop') return req.socket.destroy();
    if (typeof fault === 'object' && 'status' in fault) return res.status(fault.status).json({ error: `injected ${fault.status}` });
    const go = () => {
      forwarded[route]++;
      current[route]++;
      maxConcurrent[route] = Math.max(maxConcurrent[route], current[route]);
      res.on('close', () => current[route]--);
      next();
    };
    if (fault === 'stall') {
      stalled.push(req);
      held.set(req, go);
      res.on('close', () => {
        if (stalled.includes(req)) stalled.splice(stalled.indexOf(req), 1);
        held.delete(req);
      });
      return; // no answer until released
    }
    if (typeof fault === 'object') setTimeout(go, fault.delayMs);
    else go();
  });
  app.use((req, res, next) => (routes ? routes(req, res, next) : next()));
  const served = await serve(app);
  const platform = await new ProductPlatform({
    db: target.accrue.db, issuer: served.url, clientId: `client-${crypto.randomUUID()}`, deploymentId: `deployment-${crypto.randomUUID()}`,
    tool: { loginUrl: `${tool}/lti/login`, launchUrl: `${tool}/lti/launch`, jwksUrl: `${tool}/lti/keys` }, name: 'Faulty LMS',
  }, { productFamilyCode: options.productFamilyCode, lineItem: (sc) => result.launchLineItem?.(sc) }).init();
  routes = platform.router();
  let id = '';
  if (options.register !== false) {
    id = (await target.accrue.lti.registry.register({
      issuer: platform.options.issuer, clientId: platform.options.clientId, name: 'Faulty LMS', authEndpoint: platform.authEndpoint,
      tokenEndpoint: platform.tokenEndpoint, authConfig: { method: 'JWK_SET', key: platform.jwksUrl }, deploymentIds: [platform.options.deploymentId], active: true,
    })).id;
    await target.accrue.lti.refreshPlatforms();
  }
  const db = target.accrue.db;
  const result: FaultyPlatform = {
    platform, id, url: served.url, faults, arrived, forwarded, stalled, maxConcurrent,
    releaseStalled() {
      const waiting = [...held.values()];
      held.clear();
      stalled.length = 0;
      for (const go of waiting) go();
    },
    setAll(fault) {
      for (const k of Object.keys(faults) as Route[]) faults[k] = fault;
    },
    async gradebook(userId) {
      const res = await db.query<{ score: Record<string, unknown> }>(
        `SELECT s.score FROM sandbox_score s JOIN sandbox_lineitem l ON l.id = s.lineitem_id
          WHERE l.context_id LIKE $1 AND s.user_id = $2 ORDER BY s.id`, [`${platform.kid}:%`, userId]);
      return res.rows.map((r) => r.score);
    },
    async lineItems() {
      const res = await db.query<{ id: string; resource_link_id: string | null; label: string }>(
        'SELECT id, resource_link_id, label FROM sandbox_lineitem WHERE context_id LIKE $1 ORDER BY created_at', [`${platform.kid}:%`]);
      return res.rows.map((r) => ({ id: r.id, resourceLinkId: r.resource_link_id, label: r.label }));
    },
    async waitFor(predicate, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error('condition not met in time');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      for (const req of [...stalled]) req.socket.destroy();
      await served.close();
    },
  };
  return result;
}
