/**
 * Launch sessions. A launch creates a session row holding its LaunchContext; the browser carries a short-lived
 * HS256 token naming that row (in links, forms and the Authorization header), so nothing depends on a cookie in
 * the LMS iframe. Tokens expire (SESSION_TTL_MINUTES) and are renewed on every page; they are never logged.
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
