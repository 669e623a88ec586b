/**
 * Helpers for LRS tests: a fresh credential per test file (the harness's Accrue, real database), requests with
 * Basic auth and a version header, and statement builders with unique ids so tests never see each other's data.
 */
import crypto from 'node:crypto';
import request from 'supertest';
import type { Scope } from '../../src/lrs';
import { harness } from '../helpers/harness';

export interface TestCredential {
  key: string;
  secret: string;
  auth: string;
}

export async function credential(scopes: Scope[] = ['all']): Promise<TestCredential> {
  const key = `test-${crypto.randomUUID()}`;
  const secret = crypto.randomBytes(18).toString('base64url');
  await harness().accrue.accrue.lrs.credentials.add({ key, secret, scopes, name: `test ${scopes.join(' ')}` });
  return { key, secret, auth: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` };
}

/** supertest requests to /xapi with the credential's Authorization and an X-Experience-API-Version. */
export function lrs(cred: TestCredential, version = '2.0.0') {
  const base = () => request(harness().accrue.url);
  const h = (t: request.Test) => t.set('Authorization', cred.auth).set('X-Experience-API-Version', version);
  return {
    get: (path: string) => h(base().get(`/xapi${path}`)),
    head: (path: string) => h(base().head(`/xapi${path}`)),
    post: (path: string) => h(base().post(`/xapi${path}`)),
    put: (path: string) => h(base().put(`/xapi${path}`)),
    delete: (path: string) => h(base().delete(`/xapi${path}`)),
  };
}

export const uid = () => crypto.randomUUID();
export const mbox = () => `mailto:${uid()}@example.org`;
export const activityId = () => `http://example.org/activities/${uid()}`;
export const verbId = () => `http://example.org/verbs/${uid()}`;

export function statement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uid(),
    actor: { objectType: 'Agent', name: 'Lee Learner', mbox: mbox() },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed', 'fr-FR': 'a terminé' } },
    object: { objectType: 'Activity', id: activityId(), definition: { name: { 'en-US': 'Module 1' } } },
    ...overrides,
  };
}

export const q = (params: Record<string, unknown>) =>
  '?' + Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`).join('&');
