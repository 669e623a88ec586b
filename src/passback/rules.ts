/** Passback rules (no I/O): line item identity, the AGS score body, retry backoff and failure classification. */
import type { FailureDecision, FailureFacts, OutboxPayload, ParsedPassbackItem } from './model';

export const CANVAS_SUBMISSION = 'https://canvas.instructure.com/lti/submission';

/**
 * Which line item a score belongs to, as far as the launch tells: its own lineitem URL when the platform gave one
 * (AGS 2.0 §3.1: a resource link with exactly one line item), else the container + resource link + tag that a
 * delivery searches (or creates). Two scores with the same key and learner are the same gradebook cell.
 */
export function targetKey(t: { lineItemUrl?: string | null; lineItemsUrl?: string | null; resourceLinkId?: string | null; tag?: string | null }): string {
  if (t.lineItemUrl) return `lineitem ${t.lineItemUrl}`;
  return `lineitems ${t.lineItemsUrl ?? ''} rl=${t.resourceLinkId ?? ''} tag=${t.tag ?? ''}`;
}

export function toPayload(item: ParsedPassbackItem): OutboxPayload {
  const { timestamp: _timestamp, ...score } = item.score;
  return {
    score,
    certificateUrl: item.certificateUrl,
    canvas: item.target.canvas,
    scopes: item.target.scopes,
    lineItem: item.target.lineItem,
    launchLineItemUrl: item.target.lineItemUrl,
    tag: item.target.lineItem?.tag,
  };
}

/** The comment the gradebook shows: the caller's words, then the certificate link (Moodle shows comments; so does Canvas). */
export function composeComment(comment: string | undefined, certificateUrl: string | undefined): string | undefined {
  const parts = [comment?.trim(), certificateUrl ? `Certificate: ${certificateUrl}` : undefined].filter((p): p is string => !!p);
  return parts.length ? parts.join('\n') : undefined;
}

/** The Score body (AGS 2.0 §3.4), with Canvas's submission extension when the platform is Canvas and a certificate exists. */
export function buildScore(o: { payload: OutboxPayload; userSub: string; timestamp: Date }): Record<string, unknown> & { userId: string; timestamp: string } {
  const s = o.payload.score;
  const body: Record<string, unknown> & { userId: string; timestamp: string } = {
    userId: o.userSub,
    timestamp: o.timestamp.toISOString(),
    activityProgress: s.activityProgress,
    gradingProgress: s.gradingProgress,
  };
  if (s.scoreGiven !== undefined) body.scoreGiven = s.scoreGiven;
  if (s.scoreMaximum !== undefined) body.scoreMaximum = s.scoreMaximum;
  const comment = composeComment(s.comment, o.payload.certificateUrl);
  if (comment) body.comment = comment;
  if (o.payload.canvas && o.payload.certificateUrl) {
    // Canvas shows the URL as the learner's submission (Canvas LTI Advantage, "Score submission extension").
    body[CANVAS_SUBMISSION] = { new_submission: true, submission_type: 'online_url', submission_data: o.payload.certificateUrl };
  }
  return body;
}

export interface BackoffOptions {
  baseSeconds: number;
  maxSeconds: number;
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retries of many scores spread
 * out instead of arriving together, and no wait exceeds the cap. `attempts` counts tries so far (>= 1).
 */
export function backoffSeconds(attempts: number, o: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(o.maxSeconds, o.baseSeconds * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return step / 2 + random() * (step / 2);
}

/**
 * What to do after a failed delivery. Platform-level failures (unreachable, timed out, 5xx, throttled, token
 * refused) are retried and count against the platform's circuit; a 4xx refusal of the score or line item means
 * the platform is up and this request will not succeed as it is: failed permanently, for a person to look at.
 */
export function classifyFailure(f: FailureFacts): FailureDecision {
  switch (f.kind) {
    case 'aborted':
      return { action: 'release', delaySeconds: 0 };
    case 'busy':
      return { action: 'release', delaySeconds: 2 };
    case 'platform':
    case 'permanent':
      return { action: 'fail' };
    case 'timeout':
    case 'network':
      return { action: 'retry', platformDown: true };
    case 'internal':
      return { action: 'retry', platformDown: false };
    case 'http': {
      const status = f.status ?? 0;
      if (status < 400) return { action: 'retry', platformDown: false };
      // A token refused is the registration (keys, scopes) and stops every score of the platform: retry for days.
      if (f.stage === 'token' || status === 401 || status === 408 || status === 429 || status >= 500) {
        return { action: 'retry', platformDown: true, minDelaySeconds: f.retryAfterSeconds };
      }
      return { action: 'fail' };
    }
  }
}
