/** HTTP endpoints of LTI: /lti/login, /lti/launch, /lti/keys, /lti/register. */
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { LaunchError } from '../errors';
import type { ViewEngine } from '../web/views';
import type { AppRole, LaunchContext } from './model';
import type { OidcService, LoginRequest } from './oidc';
import type { PlatformRegistry } from './platforms';
import { registerDynamically, type ToolDescription } from './registration';
import type { SessionService } from './session';

const COOKIE_PREFIX = 'lti_login_';
const cookieName = (state: string) => COOKIE_PREFIX + state.slice(0, 20);

export const ROLE_HOME: Record<AppRole, string> = { learner: '/learner', instructor: '/builder', admin: '/admin' };

export function landingPath(launch: LaunchContext): string {
  if (launch.messageType === 'LtiDeepLinkingRequest') return '/builder/deep-link';
  return ROLE_HOME[launch.appRole];
}

// OAuth 2.0 error codes are short ASCII tokens (RFC 6749 4.1.2.1); anything else is not echoed to the user.
const OAUTH_ERROR_CODE = /^[a-z][a-z0-9_.-]{0,63}$/;

/** The launch body parser, whose own refusals (too large, too many fields, bad encoding) become launch errors. */
function launchForm(maxIdTokenBytes: number): RequestHandler {
  const parse = express.urlencoded({ extended: false, limit: maxIdTokenBytes + 4096, parameterLimit: 20 });
  return (req, res, next) => parse(req, res, (err?: unknown) => {
    if (!err) return next();
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.too.large') return next(new LaunchError('ID_TOKEN_TOO_LARGE', 'The id_token is larger than this tool accepts.', 413));
    if (type === 'parameters.too.many') return next(new LaunchError('TOO_MANY_FIELDS', 'The launch form carries more fields than a launch has.', 413));
    const status = (err as { status?: unknown }).status;
    next(new LaunchError('MALFORMED_LAUNCH_BODY', 'The launch form could not be read.', typeof status === 'number' && status >= 400 && status < 500 ? status : 400));
  });
}

function pick(req: Request): LoginRequest {
  const src = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown>) ?? {}) };
  const s = (k: string) => (typeof src[k] === 'string' ? (src[k] as string) : undefined);
  return {
    iss: s('iss'), login_hint: s('login_hint'), target_link_uri: s('target_link_uri'), lti_message_hint: s('lti_message_hint'),
    client_id: s('client_id'), lti_deployment_id: s('lti_deployment_id'), lti_storage_target: s('lti_storage_target'),
  };
}

export function ltiRouter(options: {
  oidc: OidcService; sessions: SessionService; registry: PlatformRegistry; views: ViewEngine; tool: ToolDescription;
  secureCookies: boolean; stateTtlSeconds: number; maxIdTokenBytes: number; onPlatformsChanged: () => void;
}): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: options.maxIdTokenBytes + 4096, parameterLimit: 20 });
  const cookieOptions = {
    httpOnly: true,
    secure: options.secureCookies,
    sameSite: options.secureCookies ? ('none' as const) : ('lax' as const),
    path: '/lti/launch',
  };

  const login = async (req: Request, res: Response) => {
    const result = await options.oidc.login(pick(req));
    res.cookie(cookieName(result.state), result.browserBinding, { ...cookieOptions, maxAge: options.stateTtlSeconds * 1000 });
    res.redirect(302, result.redirect);
  };
  router.get('/lti/login', login);
  router.post('/lti/login', form, login);

  router.post('/lti/launch', launchForm(options.maxIdTokenBytes), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.error !== undefined) {
      // The platform answered the authentication request with an error (OIDC Core 3.1.2.6). Its code is shown only
      // when it looks like one, so a forged post cannot put its own words on our page.
      const code = typeof body.error === 'string' && OAUTH_ERROR_CODE.test(body.error) ? body.error : 'unrecognised error';
      throw new LaunchError('PLATFORM_ERROR', `The platform refused the login (${code}). Launch again from your course.`, 401);
    }
    const state = typeof body.state === 'string' ? body.state : undefined;
    const binding = state ? (req.cookies as Record<string, string> | undefined)?.[cookieName(state)] : undefined;
    const launch = await options.oidc.launch({ idToken: body.id_token, state, browserBinding: binding });
    if (state) res.clearCookie(cookieName(state), cookieOptions);
    const session = await options.sessions.create(launch);
    res.redirect(303, `${landingPath(launch)}?s=${encodeURIComponent(session.token)}`);
  });
  router.get('/lti/launch', (_req, res) => {
    res.setHeader('Allow', 'POST'); // RFC 9110 15.5.6: a 405 names the methods the resource supports
    throw new LaunchError('LAUNCH_NEEDS_POST', 'A launch must be a form POST from the platform; open Accrue from your course.', 405);
  });

  router.get('/lti/keys', async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(await options.registry.toolJwks());
  });

  router.get('/lti/register', async (req, res) => {
    const platform = await registerDynamically({
      registry: options.registry, tool: options.tool,
      openidConfiguration: req.query.openid_configuration, registrationToken: req.query.registration_token,
    });
    options.onPlatformsChanged();
    res.type('html').send(options.views.render('registration/done', { title: 'Accrue registered', platform, active: platform.active }));
  });

  return router;
}
