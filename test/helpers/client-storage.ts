/**
 * Drives a launch through LTI platform storage over HTTP, step by step, the way the pages do it in a browser: the
 * login page's values (what it would put in platform storage), the id_token POST without a cookie (answered with the
 * launch page), and the launch page's POST of the values read back. The platform storage itself lives in the
 * browser; here the test holds it, so that each test can tamper with exactly one value.
 */
import { expect } from 'chai';
import request from 'supertest';
import type { LaunchScenario, SandboxPlatform } from '../../src/sandbox';
import type { LoginStep } from './launch';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
export function decodeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** The data-* attributes of the page's #lti-storage element. */
export function storageData(html: string): Record<string, string> {
  const div = /<div id="lti-storage"([^>]*)>/.exec(html);
  if (!div) throw new Error(`no #lti-storage element in: ${html.slice(0, 300)}`);
  const data: Record<string, string> = {};
  for (const m of div[1]!.matchAll(/data-([a-z-]+)="([^"]*)"/g)) {
    data[m[1]!.replace(/-([a-z])/g, (_x, c: string) => c.toUpperCase())] = decodeHtml(m[2]!);
  }
  return data;
}

/** The hidden fields of a form in the page, by name. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[decodeHtml(m[1]!)] = decodeHtml(m[2]!);
  return fields;
}

export interface StorageLogin extends LoginStep {
  /** What the login page puts in platform storage: key -> value. */
  stored: Map<string, string>;
  page: Record<string, string>;
  setCookie: string[];
  headers: Record<string, string>;
}

/** Login initiation with lti_storage_target: Accrue answers the page that stores the login's secrets. */
export async function startStorageLogin(accrueUrl: string, platform: SandboxPlatform, scenario: LaunchScenario, storage: 'frame' | 'parent' = 'frame'): Promise<StorageLogin> {
  const agent = request.agent(accrueUrl);
  const url = new URL(platform.loginUrl(scenario, { storage }));
  const res = await agent.get(url.pathname + url.search);
  expect(res.status, res.text.slice(0, 300)).to.equal(200);
  const page = storageData(res.text);
  expect(page.mode).to.equal('put');
  const authUrl = new URL(page.next!);
  const stored = new Map([[page.stateKey!, page.stateValue!], [page.nonceKey!, page.nonceValue!]]);
  return {
    agent, authUrl, stored, page, headers: res.headers as Record<string, string>, setCookie: (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [],
    state: authUrl.searchParams.get('state')!, nonce: authUrl.searchParams.get('nonce')!,
  };
}

/** The id_token POST as a browser that keeps no cookie for Accrue sends it (a fresh client, no cookie jar). */
export function postWithoutCookie(accrueUrl: string, fields: Record<string, string>) {
  return request(accrueUrl).post('/lti/launch').type('form').send(fields);
}

/** The launch page's POST: its form fields plus the values read back from platform storage, from our own origin. */
export function postStorageValues(accrueUrl: string, fields: Record<string, string>, options: { origin?: string } = {}) {
  return request(accrueUrl).post('/lti/launch').set('Origin', options.origin ?? new URL(accrueUrl).origin).type('form').send(fields);
}
