/** HTTP endpoints of LTI: /lti/login, /lti/launch, /lti/relaunch, /lti/keys, /lti/register. */
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { LaunchError, TooManyRequestsError } from '../errors';
import { clientAddress, type RateLimiter } from '../web/rate-limit';
import type { ViewEngine } from '../web/views';
import { STORAGE_FIELDS } from './client-storage';
import type { CookielessLaunch } from './cookieless';
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

/**
 * Pages of the login flow hold secrets or an id_token: never cached, and no referrer to another site. `same-origin`
 * rather than `no-referrer`, which would make the browser send `Origin: null` with the launch page's own POST.
 */
function privatePage(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'same-origin');
}

export function ltiRouter(options: {
  oidc: OidcService; cookieless: CookielessLaunch; sessions: SessionService; registry: PlatformRegistry; views: ViewEngine; tool: ToolDescription;
  secureCookies: boolean; stateTtlSeconds: number; maxIdTokenBytes: number; onPlatformsChanged: () => void;
  /** Registrations per client address (every /lti/register request counts: each costs outbound calls and a key). */
  registrationLimiter: RateLimiter;
  registrationEndpointHosts: readonly string[];
}): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: options.maxIdTokenBytes + 4096, parameterLimit: 20 });
  const cookieOptions = {
    httpOnly: true,
    secure: options.secureCookies,
    sameSite: options.secureCookies ? ('none' as const) : ('lax' as const),
    path: '/lti/launch',
  };

  const ownOrigin = new URL(options.tool.publicUrl).origin;

  const login = async (req: Request, res: Response) => {
    const result = await options.oidc.login(pick(req));
    res.cookie(cookieName(result.state), result.browserBinding, { ...cookieOptions, maxAge: options.stateTtlSeconds * 1000 });
    if (result.storage) {
      // LTI OIDC Login with Client Side postMessages: the platform offers platform storage, so the cookie may not come back (third-party
      // cookies blocked): a page stores the state's secrets there too, then goes on to the platform.
      privatePage(res);
      res.type('html').send(options.views.render('lti/storage-login', { title: 'Opening Accrue', ...result.storage }));
      return;
    }
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
    let launch: LaunchContext;
    if (body[STORAGE_FIELDS.state] !== undefined || body[STORAGE_FIELDS.nonce] !== undefined) {
      // The platform-storage page posts from our own origin; a post from any other page is not that page's.
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== ownOrigin) throw new LaunchError('FOREIGN_ORIGIN', 'This launch was posted from another site.', 403);
      launch = await options.oidc.launch({
        idToken: body.id_token, state, storage: { stateValue: body[STORAGE_FIELDS.state], nonceValue: body[STORAGE_FIELDS.nonce] },
      });
    } else {
      const binding = state ? (req.cookies as Record<string, string> | undefined)?.[cookieName(state)] : undefined;
      if (!binding) {
        const page = await options.cookieless.launchPage({ idToken: body.id_token, state });
        if (page) {
          privatePage(res);
          res.type('html').send(options.views.render('lti/storage-launch', { title: 'Opening Accrue', ...page, fields: STORAGE_FIELDS }));
          return;
        }
      }
      launch = await options.oidc.launch({ idToken: body.id_token, state, browserBinding: binding });
    }
    if (state) res.clearCookie(cookieName(state), cookieOptions);
    const session = await options.sessions.create(launch);
    res.redirect(303, `${landingPath(launch)}?s=${encodeURIComponent(session.token)}`);
  });

  // The new-window offer: restarts the login of a state in a top-level window, where the state cookie is first-party.
  router.post('/lti/relaunch', form, async (req, res) => {
    const result = await options.cookieless.restart((req.body as Record<string, unknown> | undefined)?.state);
    res.cookie(cookieName(result.state), result.browserBinding, { ...cookieOptions, maxAge: options.stateTtlSeconds * 1000 });
    res.redirect(303, result.redirect);
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
    res.setHeader('Cache-Control', 'no-store'); // the URL carries the registration token
    const verdict = options.registrationLimiter.hit(clientAddress(req));
    if (!verdict.allowed) {
      throw new TooManyRequestsError(
        `Too many registration attempts from your network. Try again in ${verdict.retryAfterSeconds} seconds.`, verdict.retryAfterSeconds, 'REGISTRATION_RATE_LIMITED');
    }
    const platform = await registerDynamically({
      registry: options.registry, tool: options.tool, registrationEndpointHosts: options.registrationEndpointHosts,
      openidConfiguration: req.query.openid_configuration, registrationToken: req.query.registration_token,
    });
    options.onPlatformsChanged();
    res.type('html').send(options.views.render('registration/done', { title: 'Accrue registered', platform, active: platform.active }));
  });

  return router;
}
