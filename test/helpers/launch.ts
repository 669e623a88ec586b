/**
 * Drives LTI launches the way a browser does: login initiation at Accrue, the platform's authorization endpoint,
 * the form_post of the id_token back to Accrue, the landing page. Steps are separate so refusal tests can tamper
 * with exactly one of them.
 */
import request from 'supertest';
import type { LaunchScenario, SandboxPlatform } from '../../src/sandbox';

export interface LoginStep {
  agent: request.Agent;
  state: string;
  nonce: string;
  authUrl: URL;
}

export function learner(overrides: Partial<LaunchScenario> = {}): LaunchScenario {
  return {
    sub: `learner-${Math.random().toString(36).slice(2)}`, name: 'Lee Learner', email: 'lee@example.edu',
    roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], contextId: 'course-1', resourceLinkId: 'link-1', ...overrides,
  };
}

/** Step 1: the platform sends the browser to Accrue's login initiation; Accrue redirects to the platform. */
export async function startLogin(accrueUrl: string, platform: SandboxPlatform, scenario: LaunchScenario, options: { agent?: request.Agent; params?: Record<string, string | undefined> } = {}): Promise<LoginStep> {
  const agent = options.agent ?? request.agent(accrueUrl);
  const url = new URL(platform.loginUrl(scenario));
  for (const [k, v] of Object.entries(options.params ?? {})) {
    if (v === undefined) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  const res = await agent.get(url.pathname + url.search);
  if (res.status !== 302) throw new Error(`login initiation answered ${res.status}: ${res.text.slice(0, 300)}`);
  const authUrl = new URL(res.headers.location!);
  return { agent, state: authUrl.searchParams.get('state')!, nonce: authUrl.searchParams.get('nonce')!, authUrl };
}

/** Step 2 (honest platform): the platform's authorization endpoint answers with a form_post; returns its fields. */
export async function authorize(login: LoginStep): Promise<{ id_token: string; state: string }> {
  const res = await fetch(login.authUrl);
  const html = await res.text();
  if (res.status !== 200) throw new Error(`platform auth answered ${res.status}: ${html}`);
  const field = (name: string) => {
    const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    return m ? m[1]!.replace(/&#(\d+);/g, (_x, c: string) => String.fromCharCode(Number(c))) : '';
  };
  return { id_token: field('id_token'), state: field('state') };
}

/** Step 3: the browser posts the id_token to Accrue's launch endpoint. */
export function postLaunch(login: LoginStep, fields: Record<string, string>) {
  return login.agent.post('/lti/launch').type('form').send(fields);
}

/** A whole honest launch; returns the landing redirect and the session token it carries. */
export async function launch(accrueUrl: string, platform: SandboxPlatform, scenario: LaunchScenario) {
  const login = await startLogin(accrueUrl, platform, scenario);
  const fields = await authorize(login);
  const res = await postLaunch(login, fields);
  const location = res.headers.location ?? '';
  const token = new URL(location, accrueUrl).searchParams.get('s') ?? '';
  return { res, location, token, agent: login.agent, login };
}
