/**
 * How the learner's content page shows an activity's content (pure). An external activity gets the xAPI launch
 * parameters of the common "Rustici" convention (endpoint, auth, actor, registration, activity_id) so it can send
 * its own statements to our LRS with the enrollment's registration.
 */
import { sanitizeRichText, type Activity } from '../activities';
import { activityIri, learnerAgent } from './statements';

/** What launched content is told about the learner and the activity (the same Agent IFI and IRI as our statements). */
export interface XapiLaunch {
  enrollmentId: string;
  /** The learner's LMS account (the IFI of our statements' actor); with their name only when configured. */
  actor: Record<string, unknown>;
  /** The activity's IRI (activity_id): content's statements are about it or an IRI under it. */
  activityIri: string;
  registration: string;
  /** Where the content runs: its origin may call the LRS while the credential lives. */
  contentUrl: string;
}

/** The LRS provides the endpoint and a per-launch credential (Basic auth) for this learner and activity. */
export type XapiCredentialsHook = (launch: XapiLaunch) => Promise<{ endpoint: string; auth: string } | null>;
export const noXapiCredentials: XapiCredentialsHook = async () => null;

/**
 * The xAPI launch of an external activity (content of kind 'url'), or null for any other content. The link goes to
 * a third party and may sit in its logs, so by default its actor is only the account that identifies the learner
 * (an xAPI Agent is identified by its IFI alone; `name` is optional): data minimisation for health-care
 * learners. `actorName` (LRS_LAUNCH_ACTOR_NAME) adds the name for content that greets the learner.
 */
export function xapiLaunchOf(o: {
  activity: Activity; publicUrl: string; platformIssuer: string; learner: { sub: string; name?: string }; enrollmentId: string; registration: string;
  actorName: boolean;
}): XapiLaunch | null {
  if (o.activity.content.kind !== 'url') return null;
  const learner = o.actorName ? o.learner : { sub: o.learner.sub };
  return {
    enrollmentId: o.enrollmentId, actor: learnerAgent(o.platformIssuer, learner), activityIri: activityIri(o.publicUrl, o.activity.id),
    registration: o.registration, contentUrl: o.activity.content.url,
  };
}

export interface ContentView {
  kind: 'none' | 'url' | 'embed' | 'text';
  launchUrl?: string;
  embedUrl?: string;
  /** Origin the page's CSP must allow in frame-src for an embed. */
  frameOrigin?: string;
  html?: string;
}

export function contentView(options: { activity: Activity; xapi: XapiLaunch | null; credentials: { endpoint: string; auth: string } | null }): ContentView {
  const c = options.activity.content;
  if (c.kind === 'text') return { kind: 'text', html: sanitizeRichText(c.html) };
  if (c.kind === 'embed') return { kind: 'embed', embedUrl: c.url, frameOrigin: new URL(c.url).origin };
  if (c.kind === 'url' && options.xapi) return { kind: 'url', launchUrl: xapiLaunchUrl(c.url, options.xapi, options.credentials) };
  return { kind: 'none' };
}

/**
 * The content's address with its xAPI launch parameters: the "Tin Can launch" query convention TinCanJS reads
 * (`new TinCan({ url })`) and @xapi/xapi's XAPI.getSearchQueryParamsAsObject: endpoint, auth, actor (JSON),
 * registration, activity_id. The address's own parameters are kept.
 */
export function xapiLaunchUrl(
  contentUrl: string, xapi: Pick<XapiLaunch, 'actor' | 'registration' | 'activityIri'>, credentials: { endpoint: string; auth: string } | null,
): string {
  const u = new URL(contentUrl);
  if (credentials) {
    u.searchParams.set('endpoint', credentials.endpoint);
    u.searchParams.set('auth', credentials.auth);
  }
  u.searchParams.set('actor', JSON.stringify(xapi.actor));
  u.searchParams.set('registration', xapi.registration);
  u.searchParams.set('activity_id', xapi.activityIri);
  return u.toString();
}
