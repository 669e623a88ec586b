/**
 * Launch sessions. A launch creates a session row holding its LaunchContext; the browser carries a short-lived
 * HS256 token naming that row (in links `?s=`, the hidden form field `s`, and `Authorization: Bearer`), so nothing
 * depends on a cookie in the LMS iframe. Unlike ltijs's `ltik` (no expiry), the token:
 * - is per launch (`sid`) and bound to the user, platform and context (`sub`, `plt`, `ctx`, checked against the row);
 * - expires after SESSION_TTL_MINUTES (`exp`), and the row too, so a leaked link stops working;
 * - is renewed on every page (`res.locals.sessionToken`) and, for a learner who stays on one page, by
 *   public/session.js at POST /lti/session/renew (session-routes.ts) once half its lifetime has passed and the
 *   learner has been active; the row is extended when less than half of its lifetime is left;
 * - is never logged: request and error logs carry `req.path` (no query string) and never headers, and log fields
 *   named like token/session/state/nonce are redacted (src/log.ts); test/lti/session-renewal.test.ts checks every
 *   log line of a launch. Referrer-Policy strict-origin-when-cross-origin keeps it out of Referer headers to
 *   other sites.
 */
import crypto from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { AuthError } from '../errors';
import type { LaunchContext } from './model';
import type { LtiStore } from './store';

const AUDIENCE = 'accrue-session';

export class SessionService {
  private readonly key: Uint8Array;

  constructor(private readonly store: LtiStore, secret: string, private readonly ttlMinutes: number) {
    this.key = crypto.createHash('sha256').update(`session:${secret}`).digest();
  }

  async create(launch: LaunchContext): Promise<{ id: string; token: string }> {
    const id = crypto.randomUUID();
    await this.store.createSession({ id, launch, ttlMinutes: this.ttlMinutes });
    return { id, token: await this.sign(id, launch) };
  }

  async sign(id: string, launch: LaunchContext): Promise<string> {
    return new SignJWT({ sid: id, plt: launch.platform.id, ctx: launch.context?.id ?? null })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(launch.user.sub)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlMinutes}m`)
      .sign(this.key);
  }

  /**
   * Who a token was issued to, from its signature and expiry alone: no database read. Only for answers kept in
   * process memory for that very user (an export's progress), which must not wait behind a long export holding
   * embedded PGlite's single connection. It does not see a session row deleted before the token expires, and
   * carries no role: anything else uses `resolve`.
   */
  async verify(token: string | undefined): Promise<{ platformId: string; sub: string }> {
    if (!token) throw new AuthError();
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], audience: AUDIENCE });
      if (typeof payload.plt !== 'string' || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw new AuthError();
      return { platformId: payload.plt, sub: payload.sub };
    } catch {
      throw new AuthError();
    }
  }

  /** The session a token names, bound to its user and context; throws AuthError when absent, forged or expired. */
  async resolve(token: string | undefined): Promise<{ id: string; launch: LaunchContext; renewedToken: string }> {
    if (!token) throw new AuthError();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], audience: AUDIENCE }));
    } catch {
      throw new AuthError();
    }
    const id = typeof payload.sid === 'string' ? payload.sid : '';
    const session = /^[0-9a-f-]{36}$/.test(id) ? await this.store.getSession(id) : null;
    if (!session || session.launch.user.sub !== payload.sub || session.launch.platform.id !== payload.plt || (session.launch.context?.id ?? null) !== payload.ctx) {
      throw new AuthError();
    }
    // Renew the row when less than half of its lifetime is left, so an active learner is never cut off.
    if (session.expiresAt.getTime() - Date.now() < (this.ttlMinutes * 60_000) / 2) await this.store.extendSession(id, this.ttlMinutes);
    return { id, launch: session.launch, renewedToken: await this.sign(id, session.launch) };
  }
}
