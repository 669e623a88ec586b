/**
 * Helpers for launch-refusal tests: forge id_tokens the way a hostile or broken platform would, post them through
 * the real login -> launch flow, and check that the answer is a safe 4xx launch-error page that created nothing.
 */
import { expect } from 'chai';
import { generateKeyPair, SignJWT } from 'jose';
import type { Response } from 'supertest';
import type { LaunchScenario, SandboxPlatform } from '../../src/sandbox';
import { harness } from './harness';
import { learner, postLaunch, startLogin, type LoginStep } from './launch';

export type Claims = Record<string, unknown>;

export const LTI = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
} as const;

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An unsigned token (`alg: none`), as an attacker would send it. */
export function unsignedToken(claims: Claims, kid?: string): string {
  return `${b64({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64({ iat: nowSeconds(), exp: nowSeconds() + 300, ...claims })}.`;
}

/** Signs with a fresh RSA key the platform never published, under the kid given (the platform's own, or another). */
export async function signWithForeignKey(claims: Claims, kid: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
}

/** Signs with HS256 under a shared secret (the classic RS256/HS256 confusion attack uses public values as the secret). */
export function signHs256(claims: Claims, secret: string, kid: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(secret));
}

export interface ForgedLaunch {
  res: Response;
  login: LoginStep;
  scenario: LaunchScenario;
  claims: Claims;
}

/**
 * Runs a real login initiation at Accrue for `platform`, builds the honest claims the platform would sign for it
 * (with the login's nonce), lets `edit` change them, then posts the token `token` makes (default: the platform's
 * own RS256 signature) with the login's state.
 */
export async function forgedLaunch(options: {
  platform?: SandboxPlatform;
  scenario?: LaunchScenario;
  edit?: (claims: Claims) => void;
  token?: (claims: Claims, platform: SandboxPlatform) => Promise<string> | string;
  loginParams?: Record<string, string | undefined>;
} = {}): Promise<ForgedLaunch> {
  const { accrue, lms } = harness();
  const platform = options.platform ?? lms.platform;
  const scenario = options.scenario ?? learner();
  const login = await startLogin(accrue.url, platform, scenario, { params: options.loginParams });
  const claims = platform.claims({ ...scenario, nonce: login.nonce });
  options.edit?.(claims);
  const idToken = options.token ? await options.token(claims, platform) : await platform.sign(claims);
  const res = await postLaunch(login, { id_token: idToken, state: login.state });
  return { res, login, scenario, claims };
}

/** How many launch sessions exist for a user id (subs are unique per test, so 0 means this test created none). */
export async function sessionCount(sub: string): Promise<number> {
  const { accrue } = harness();
  const r = await accrue.accrue.db.query<{ n: string }>('SELECT count(*) AS n FROM lti_session WHERE sub = $1', [sub]);
  return Number(r.rows[0]!.n);
}

/**
 * The refusal contract: the given 4xx status, an accessible HTML launch-error page naming the code and an error id,
 * no stack trace or internals, no redirect to a landing page, and (when a sub is given) no session for that user.
 */
export async function expectRefusal(res: Response, expected: { status: number; code: string; sub?: string }): Promise<void> {
  expect(res.status, `status (body: ${res.text.slice(0, 400)})`).to.equal(expected.status);
  expect(res.status).to.be.within(400, 499);
  expect(res.headers['content-type']).to.match(/^text\/html/);
  expect(res.text).to.contain(`Error <code>${expected.code}</code>`);
  expect(res.text).to.match(/error id <code>[0-9a-f]{12}<\/code>/);
  expect(res.text).to.match(/<html lang="en">/).and.match(/<h1>[^<]+<\/h1>/).and.contain('role="alert"');
  expect(res.text).to.not.match(/\bat [\w$.<>]+ \(|node_modules|\.ts:\d+|LaunchError|TypeError/);
  expect(res.headers.location, 'no redirect to a landing page').to.equal(undefined);
  if (expected.sub) expect(await sessionCount(expected.sub), 'sessions created').to.equal(0);
}
