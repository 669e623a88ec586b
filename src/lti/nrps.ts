/**
 * LTI Names and Role Provisioning Services 2.0 client: the members of a course (NRPS 2.0 §3.6), page by page
 * following `Link: <...>; rel="next"` (§3.6.3). Tokens come from the AGS client's cache (same client-credentials
 * grant, NRPS scope); every call is limited by the same timeout, so a stalled LMS cannot hang a roster page.
 */
import type { AgsClient } from './ags';

export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const MEDIA = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

export interface Member {
  userId: string;
  status: string;
  roles: string[];
  name?: string;
  givenName?: string;
  familyName?: string;
}

export class NrpsError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'NrpsError';
  }
}

/** The URL of the next page from a Link header (RFC 8288), if any. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (m && /\brel\s*=\s*"?next"?/i.test(m[2]!)) return m[1]!;
  }
  return null;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

export class NrpsClient {
  constructor(private readonly o: { ags: AgsClient; timeoutMs: number; maxPages?: number }) {}

  /** Every member of the course behind `membershipsUrl`. Throws NrpsError with a message safe to show. */
  async members(platformId: string, membershipsUrl: string): Promise<Member[]> {
    const out: Member[] = [];
    let url: string | null = membershipsUrl;
    const origin = new URL(membershipsUrl).origin;
    for (let page = 0; url && page < (this.o.maxPages ?? 200); page++) {
      // A next link to another origin would send our token elsewhere: refuse it.
      if (new URL(url).origin !== origin) throw new NrpsError('The platform\'s roster pointed to another site; stopped.');
      const { body, next } = await this.page(platformId, url, page === 0);
      for (const m of Array.isArray(body.members) ? body.members : []) {
        const x = m as Record<string, unknown>;
        const userId = str(x.user_id);
        if (!userId) continue;
        out.push({
          userId, status: str(x.status) ?? 'Active', roles: Array.isArray(x.roles) ? x.roles.filter((r): r is string => typeof r === 'string') : [],
          name: str(x.name), givenName: str(x.given_name), familyName: str(x.family_name),
        });
      }
      url = next;
    }
    return out;
  }

  private async page(platformId: string, url: string, retryOn401: boolean): Promise<{ body: Record<string, unknown>; next: string | null }> {
    let token: string;
    try {
      token = await this.o.ags.accessToken(platformId, NRPS_SCOPE);
    } catch (err) {
      throw new NrpsError(`The platform refused a roster token: ${(err as Error).message}`);
    }
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: MEDIA, authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(this.o.timeoutMs) });
    } catch (err) {
      const name = (err as Error).name;
      throw new NrpsError(name === 'TimeoutError' || name === 'AbortError' ? `The platform did not send the roster within ${this.o.timeoutMs} ms.` : 'The platform\'s roster could not be reached.');
    }
    if (res.status === 401 && retryOn401) {
      await res.arrayBuffer().catch(() => undefined);
      await this.o.ags.invalidateToken(platformId, NRPS_SCOPE);
      return this.page(platformId, url, false);
    }
    if (!res.ok) {
      await res.arrayBuffer().catch(() => undefined);
      throw new NrpsError(`The platform answered the roster request with HTTP ${res.status}.`, res.status);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new NrpsError('The platform\'s roster was not valid JSON.');
    }
    if (!body || typeof body !== 'object') throw new NrpsError('The platform\'s roster was not a membership container.');
    return { body: body as Record<string, unknown>, next: nextLink(res.headers.get('link')) };
  }
}
