/**
 * LTI launches without third-party cookies (no I/O): the vocabulary of 1EdTech "LTI Client Side postMessages"
 * (lti-cs-pm v0.1), "LTI postMessage Storage" (lti-pm-s v0.1) and "LTI OIDC Login with LTI Client Side
 * postMessages" (lti-cs-oidc v0.1), and what the login and launch pages of that flow are given.
 *
 * Glossary: platform storage = the key/value store a platform offers its tools through postMessage, partitioned
 * by the tool's origin; storage target = the frame that answers those messages (`lti_storage_target`: `_parent`
 * or the name of a frame in window.parent.frames).
 *
 * Binding (why the stored values are secrets): the spec's keys are `state_<state>` and `nonce_<nonce>`. The state
 * and the nonce are not secret (they travel in URLs and in the id_token), so the values we put under those keys are
 * two random secrets that only this login's page and this browser's platform storage ever hold, exactly like the
 * state cookie's value. The server keeps their sha256 and takes the state only when both come back.
 */

// The messages themselves (lti.put_data / lti.get_data and their ".response") are sent and checked by the pages'
// script, public/lti-storage.js; the platform's side for the sandbox and tests is src/sandbox/embed.ts.

/** lti-cs-oidc: the keys under which the login step stores state and nonce. */
export const stateKey = (state: string) => `state_${state}`;
export const nonceKey = (nonce: string) => `nonce_${nonce}`;

const MAX_TARGET_LENGTH = 200;

/**
 * A storage target we can address (`_parent`: the window that embeds the tool; any other value names a frame in
 * window.parent.frames); anything else is treated as absent, and the cookie path and the new window remain.
 */
export function usableStorageTarget(target: string | undefined): string | undefined {
  if (!target) return undefined;
  const t = target.trim();
  return t.length > 0 && t.length <= MAX_TARGET_LENGTH ? t : undefined;
}

/**
 * LTI postMessage Storage and OIDC Login with Client Side postMessages: messages to platform storage are sent with the origin of the platform's OIDC
 * authorization endpoint as targetOrigin, and only answers from that origin are accepted. The browser drops a
 * message whose target frame has another origin, so another site framing the tool never sees the secrets.
 */
export function platformStorageOrigin(authEndpoint: string): string {
  return new URL(authEndpoint).origin;
}

/** What the login page puts in platform storage before it sends the browser to the platform. */
export interface StorageLoginPage {
  target: string;
  platformOrigin: string;
  stateKey: string;
  stateValue: string;
  nonceKey: string;
  nonceValue: string;
  /** The platform's authentication request (where the page goes next, stored or not). */
  next: string;
}

/** What the launch page reads back from platform storage and posts, with the id_token, to /lti/launch. */
export interface StorageLaunchPage {
  target: string;
  platformOrigin: string;
  stateKey: string;
  nonceKey: string;
  state: string;
  idToken: string;
}

/** Form fields the launch page posts back: the values it read under the state and nonce keys. */
export const STORAGE_FIELDS = { state: 'lti_storage_state', nonce: 'lti_storage_nonce' } as const;
