/**
 * How the learner's content page shows an activity's content (pure). An external activity gets the xAPI launch
 * parameters of the common "Rustici" convention (endpoint, auth, actor, registration, activity_id) so it can send
 * its own statements to our LRS with the enrollment's registration.
 */
import { sanitizeRichText, type Activity } from '../activities';
import { activityIri } from './statements';

/**
 * HOOK(lrs): the LRS feature provides the endpoint and per-launch credentials (Basic auth) here. Until it does,
 * the default gives none and the external activity is launched with actor, registration and activity_id only.
 */
export type XapiCredentialsHook = (launch: { enrollmentId: string; activityId: string; registration: string }) => Promise<{ endpoint: string; auth: string } | null>;
export const noXapiCredentials: XapiCredentialsHook = async () => null;

export interface ContentView {
  kind: 'none' | 'url' | 'embed' | 'text';
  launchUrl?: string;
  embedUrl?: string;
  /** Origin the page's CSP must allow in frame-src for an embed. */
  frameOrigin?: string;
  html?: string;
}

export function contentView(options: {
  activity: Activity; publicUrl: string; platformIssuer: string; sub: string; registration: string; credentials: { endpoint: string; auth: string } | null;
}): ContentView {
  const c = options.activity.content;
  if (c.kind === 'text') return { kind: 'text', html: sanitizeRichText(c.html) };
  if (c.kind === 'embed') return { kind: 'embed', embedUrl: c.url, frameOrigin: new URL(c.url).origin };
  if (c.kind === 'url') {
    const u = new URL(c.url);
    if (options.credentials) {
      u.searchParams.set('endpoint', options.credentials.endpoint);
      u.searchParams.set('auth', options.credentials.auth);
    }
    u.searchParams.set('actor', JSON.stringify({ objectType: 'Agent', account: { homePage: options.platformIssuer, name: options.sub } }));
    u.searchParams.set('registration', options.registration);
    u.searchParams.set('activity_id', activityIri(options.publicUrl, options.activity.id));
    return { kind: 'url', launchUrl: u.toString() };
  }
  return { kind: 'none' };
}
