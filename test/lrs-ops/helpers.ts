/** Shared steps of the LRS operations tests: credentials, statements with unique ids, waiting for a condition. */
import crypto from 'node:crypto';
import request from 'supertest';
import type { Scope } from '../../src/lrs';
import type { RunningServer } from '../../src/main';

export const uid = () => crypto.randomUUID();
export const mbox = () => `mailto:${uid()}@example.org`;
export const activity = () => `http://example.org/activities/${uid()}`;

export async function credentialOn(server: RunningServer, scopes: Scope[] = ['all']): Promise<string> {
  const key = `ops-${uid()}`;
  const secret = crypto.randomBytes(18).toString('base64url');
  await server.accrue.lrs.credentials.add({ key, secret, scopes, name: 'lrs-ops test' });
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}

export function statement(o: { actor?: Record<string, unknown>; verb?: string; object?: Record<string, unknown>; context?: Record<string, unknown>; id?: string } = {}) {
  return {
    id: o.id ?? uid(),
    actor: o.actor ?? { objectType: 'Agent', mbox: mbox() },
    verb: { id: o.verb ?? 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
    object: o.object ?? { objectType: 'Activity', id: activity() },
    ...(o.context ? { context: o.context } : {}),
  };
}

/** POSTs statements to a running Accrue's LRS and returns their ids. */
export async function post(server: RunningServer, auth: string, statements: object[], version = '2.0.0'): Promise<string[]> {
  const res = await request(server.url).post('/xapi/statements').set('Authorization', auth).set('X-Experience-API-Version', version).send(statements);
  if (res.status !== 200) throw new Error(`POST /xapi/statements answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as string[];
}

/** Polls `check` until it returns true, or fails with `what` after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}
