/**
 * Passback vocabulary (no I/O). A PassbackItem is what a caller owes the LMS for one learner: a Score (AGS 2.0 §3.4)
 * on the learner's LineItem, with the certificate link as the comment (and, on Canvas, as the submission). An
 * OutboxEntry is that item as stored and delivered.
 */
import { z } from 'zod';

export const ACTIVITY_PROGRESS = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'] as const;
export const GRADING_PROGRESS = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'] as const;

const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);

const targetSchema = z.object({
  platformId: z.string().min(1).max(255),
  userSub: z.string().min(1).max(255),
  /** The AGS claim's `lineitems` (container) URL. */
  lineItemsUrl: httpUrl.optional(),
  /** The AGS claim's `lineitem` URL, when the platform made the line item for this resource link. */
  lineItemUrl: httpUrl.optional(),
  resourceLinkId: z.string().min(1).max(255).optional(),
  /** Scopes the launch's AGS claim granted; empty = unknown (all are tried). */
  scopes: z.array(z.string().max(200)).max(20).default([]),
  /** The platform is Canvas (tool_platform product_family_code "canvas"): send the submission extension. */
  canvas: z.boolean().default(false),
  /** The line item to create when the launch carried none and none is found for the resource link. */
  lineItem: z.object({
    label: z.string().min(1).max(255),
    scoreMaximum: z.number().positive().finite(),
    tag: z.string().min(1).max(255).optional(),
    resourceId: z.string().min(1).max(255).optional(),
  }).optional(),
}).refine((t) => t.lineItemUrl || t.lineItemsUrl, { message: 'the target needs the AGS lineItemUrl or lineItemsUrl of the launch' });

const scoreSchema = z.object({
  scoreGiven: z.number().min(0).finite().optional(),
  scoreMaximum: z.number().positive().finite().optional(),
  activityProgress: z.enum(ACTIVITY_PROGRESS).default('Completed'),
  gradingProgress: z.enum(GRADING_PROGRESS).default('FullyGraded'),
  /** When the score was earned; default: the moment of enqueue. Fixed for every redelivery. */
  timestamp: z.coerce.date().optional(),
  comment: z.string().max(2000).optional(),
}).refine((s) => s.scoreGiven === undefined || s.scoreMaximum !== undefined, { message: 'scoreGiven needs scoreMaximum (AGS 2.0 §3.4.4)' });

export const passbackItemSchema = z.object({
  /** Unique per score owed, e.g. `claim:<claim id>:award`; a second enqueue with the same key is a no-op. */
  idempotencyKey: z.string().min(1).max(300),
  /** Why the score is sent: `completion`, `award`, ... (free text, shown to administrators). */
  kind: z.string().min(1).max(40),
  target: targetSchema,
  score: scoreSchema,
  certificateUrl: httpUrl.optional(),
});

export type PassbackItem = z.input<typeof passbackItemSchema>;
export type PassbackTarget = z.input<typeof targetSchema>;
export type ParsedPassbackItem = z.output<typeof passbackItemSchema>;

/** What the outbox keeps besides its columns: enough to deliver without the launch session. */
export interface OutboxPayload {
  score: Omit<z.output<typeof scoreSchema>, 'timestamp'>;
  certificateUrl?: string;
  canvas: boolean;
  scopes: string[];
  lineItem?: z.output<typeof targetSchema>['lineItem'];
  /** The launch's own lineitem URL (the column may later hold a resolved one). */
  launchLineItemUrl?: string;
  tag?: string;
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed' | 'superseded';
/** What administrators see: `failing` is a pending entry whose last attempt failed. */
export type DisplayStatus = 'pending' | 'failing' | 'delivered' | 'failed' | 'superseded';
export const DISPLAY_STATUSES: DisplayStatus[] = ['pending', 'failing', 'delivered', 'failed', 'superseded'];

export interface OutboxEntry {
  id: string;
  idempotencyKey: string;
  kind: string;
  platformId: string;
  userSub: string;
  targetKey: string;
  lineItemsUrl: string | null;
  lineItemUrl: string | null;
  resourceLinkId: string | null;
  payload: OutboxPayload;
  scoreTimestamp: Date;
  status: OutboxStatus;
  displayStatus: DisplayStatus;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  retrySince: Date;
  supersededBy: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** A claimed entry and whether it is its platform's probe (the platform's circuit is open). */
export interface ClaimedEntry extends OutboxEntry {
  probe: boolean;
}

/** The plain facts of a failed delivery that the rules classify (an AgsError's fields, or internal/busy). */
export interface FailureFacts {
  kind: 'timeout' | 'network' | 'http' | 'aborted' | 'platform' | 'busy' | 'internal' | 'permanent';
  stage?: string;
  status?: number;
  retryAfterSeconds?: number;
  message: string;
}

export type FailureDecision =
  | { action: 'retry'; platformDown: boolean; minDelaySeconds?: number }
  | { action: 'fail' }
  | { action: 'release'; delaySeconds: number };
