/**
 * Forwarding decisions (pure): what is sent to an external LRS, how its answer is read, and when to try again.
 *
 * A statement is sent with PUT /statements?statementId=<id> (xAPI 1.0.3 Part 3 §2.1.1, 2.0.0 §4.1.6.1 PUT): the id
 * is kept, and a second PUT of the same statement changes nothing there ("MUST NOT make any modifications to its
 * state"), so a redelivery after a lost answer is harmless. 204 is delivered; 409 means the id is there already:
 * delivered if the statement there is the same (2.0.0 §5.1 Statement Comparison), otherwise a conflict that retrying
 * cannot fix (kept, shown as failing). Network errors, timeouts, 5xx, 401/403 (our credential) and 408/429 are the
 * target's problem: the target is paused with backoff and probed by one statement at a time; any other 4xx is this
 * statement's problem: it alone backs off.
 */
import { downgradeTo10 } from '../format';
import type { JsonObject } from '../model';

export interface ForwardTarget {
  name: string;
  /** with a trailing slash */
  endpoint: string;
  key: string;
  secret: string;
  version: '2.0.0' | '1.0.3';
}

export type Failure = { scope: 'target' | 'statement'; message: string };

/**
 * The statement as sent: `stored` and `authority` are the receiving LRS's to set (1.0.3 Part 2 §2.4.8-9: it sets
 * stored, and overwrites or refuses an authority the credential may not assert); a 1.0.3 target gets the 1.0 form.
 */
export function outgoing(statement: JsonObject, version: ForwardTarget['version']): JsonObject {
  const s = version === '1.0.3' ? downgradeTo10(statement) : statement;
  const { stored: _stored, authority: _authority, ...rest } = s;
  return rest;
}

/** How an HTTP status from PUT /statements is read (409 needs a look at the statement there). */
export function classifyPut(status: number): 'delivered' | 'check' | Failure {
  if (status === 204 || status === 200) return 'delivered';
  if (status === 409) return 'check';
  return classifyStatus(status);
}

export function classifyStatus(status: number): Failure {
  const message = `HTTP ${status}`;
  if (status >= 500 || status === 401 || status === 403 || status === 408 || status === 429) return { scope: 'target', message };
  return { scope: 'statement', message };
}

/**
 * Delay before attempt `attempt + 1` (attempt >= 1): base * 2^(attempt-1), capped, with "equal jitter" (between
 * half and all of it) so that processes retrying together spread out. `random` is in [0, 1).
 */
export function backoffSeconds(attempt: number, o: { baseSeconds: number; maxSeconds: number; random: number }): number {
  const raw = Math.min(o.maxSeconds, o.baseSeconds * 2 ** Math.max(0, Math.min(attempt - 1, 40)));
  return raw / 2 + (raw / 2) * o.random;
}

/** Error text kept for the status view: short, and never a header or a body we sent. */
export const errorText = (s: string) => s.replace(/\s+/g, ' ').slice(0, 300);
