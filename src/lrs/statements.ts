/**
 * The Statement service: storing (validation, authority, idempotent retries, voiding, index rows, attachments,
 * activity definitions, in one transaction) and reading (one statement, filtered pages). The write path and the
 * read path share only the store (command/query split).
 */
import crypto from 'node:crypto';
import type { Db, Queryable } from '../db';
import { AppError, ConflictError, ForbiddenError, ValidationError } from '../errors';
import { collectAttachments, type AttachmentContent } from './attachments';
import type { Credential } from './credentials';
import { agentKey, facetsOf, isoMs, mergeDefinition, prepareStatement, sameStatement, type Family, type JsonObject } from './model';
import { mayAssertAuthority, mayDefine } from './scopes';
import { StatementStore, type StoredRow } from './store';
import type { StatementFilter, StatementQueries } from './store-query';
import { isObject } from './validate/primitives';
import { VOIDED_VERB, validateStatement } from './validate/statement';

export interface StoreOptions {
  /** Who stores: sets `authority`, `statements/read/mine` ownership and whether definitions are trusted. */
  credential?: Credential;
  /** The authority for statements stored by Accrue itself (no credential). */
  authority?: JsonObject;
  /** Validation rules and default `version`: 2.0 unless said otherwise. */
  family?: Family;
  /** Attachment parts of a multipart/mixed request; undefined for application/json. */
  parts?: AttachmentContent[];
  /**
   * The caller's transaction: the statements are written in it, so they exist exactly when the caller's own rows do
   * (the learner path's evidence). Without it the service opens its own.
   */
  q?: Queryable;
}

/** Runs in the storing transaction with the ids of the statements it stored (the forwarding outbox, forward/). */
export type AfterStore = (q: Queryable, ids: string[]) => Promise<void>;

export class StatementService {
  private readonly afterStore: AfterStore[] = [];

  constructor(
    private readonly db: Db,
    private readonly repo: StatementStore,
    private readonly queries: StatementQueries,
    private readonly defaultAuthority: JsonObject,
  ) {}

  /** Adds work done in the same transaction as every store (so it exists if and only if the statements do). */
  onStore(fn: AfterStore): void {
    this.afterStore.push(fn);
  }

  /**
   * Validates and stores statements; returns their ids in order. A statement whose id is already stored with the
   * same content is accepted without change (a retry); with different content it is a 409 (1.0.3 Part 3 §2.1.2).
   */
  async store(input: unknown[], options: StoreOptions = {}): Promise<string[]> {
    const family = options.family ?? '2.0';
    if (input.length === 0) throw new ValidationError('No statements were sent.', undefined, 'XAPI_EMPTY');
    const statements = input.map((s) => validateStatement(s, { family }));
    const credential = options.credential;
    credential?.limits?.statements(statements);
    const authority = credential?.authority ?? options.authority ?? this.defaultAuthority;
    if (credential && !mayAssertAuthority(credential.scopes)) {
      const own = agentKey(credential.authority);
      for (const s of statements) {
        if (isObject(s.authority) && agentKey(s.authority) !== own) {
          throw new ForbiddenError('This credential may not store statements with an authority other than its own.', 'XAPI_AUTHORITY');
        }
      }
    }
    const ids = statements.map((s) => (typeof s.id === 'string' ? s.id.toLowerCase() : undefined));
    const given = ids.filter((x): x is string => Boolean(x));
    if (new Set(given).size !== given.length) throw new ValidationError('Two statements in the request have the same id.', undefined, 'XAPI_DUPLICATE_ID');
    // Attachments are checked against the statements as received (signatures sign the client's statement).
    const content = await collectAttachments(statements, options.parts);

    const stored = isoMs(Date.now());
    const version = family === '2.0' ? '2.0.0' : '1.0.0';
    let defined: ReturnType<typeof definitionsOf> = [];
    // Inserted first, compared after: a stored id is found by the insert itself (ON CONFLICT DO NOTHING), so the
    // common case (all new) costs no lookup; a retry or a race is compared with what is stored.
    const untimed = new Set<string>(); // received without a timestamp: prepareStatement gives them one
    const prepared = statements.map((s) => {
      const timed = s.timestamp !== undefined;
      const p = prepareStatement(s, { id: typeof s.id === 'string' ? s.id : crypto.randomUUID(), stored, authority, version });
      if (!timed) untimed.add(p.id as string);
      return p;
    });
    const rows = prepared.map((s) => ({
      id: s.id as string, stored, verbId: (s.verb as JsonObject).id as string,
      registration: isObject(s.context) && typeof s.context.registration === 'string' ? s.context.registration : null,
      objectStatementId: isObject(s.object) && s.object.objectType === 'StatementRef' ? String(s.object.id).toLowerCase() : null,
      credentialKey: credential?.key ?? null, statement: s, facets: facetsOf(s),
    }));
    // Verb and Activity IRIs as dictionary ids, resolved before the transaction (new ones committed at once, so
    // concurrent batches naming a new IRI do not wait for each other's whole transaction), or in the caller's.
    const iriIds = await this.repo.iris.ids(StatementStore.irisOf(rows), options.q);
    const write = async (q: Queryable) => {
      const { skipped, voidedBefore, referenced } = await this.repo.insert(q, rows, { voidedVerb: VOIDED_VERB, ids: iriIds });
      const out = prepared.map((s) => s.id as string);
      let fresh = prepared;
      if (skipped.length) {
        // Same content is a retry (accepted, unchanged), other content a conflict (1.0.3 Part 3 §2.1.2). The received
        // statement is the prepared one without the properties the LRS set (sameStatement ignores the others).
        const byId = new Map(prepared.map((s) => [s.id as string, s]));
        for (const row of await this.repo.findByIds(q, skipped)) {
          const received = { ...byId.get(row.id)! };
          if (untimed.has(row.id)) delete received.timestamp;
          if (!sameStatement(received, row.statement)) throw new ConflictError(`A different statement with id ${row.id} is already stored.`, 'XAPI_ID_CONFLICT');
        }
        const old = new Set(skipped);
        fresh = prepared.filter((s) => !old.has(s.id as string));
      }
      const freshIds = fresh.map((s) => s.id as string);
      const voids = fresh.filter((s) => (s.verb as JsonObject).id === VOIDED_VERB).map((s) => String((s.object as JsonObject).id).toLowerCase());
      await this.repo.void(q, voids, VOIDED_VERB);
      // A statement may arrive after the statement that voids it.
      await this.repo.void(q, voidedBefore, VOIDED_VERB);
      if (referenced || fresh.some((s) => isObject(s.object) && s.object.objectType === 'StatementRef')) await this.repo.inheritTargets(q, freshIds);
      await this.repo.putAttachments(q, content);
      if (!credential || mayDefine(credential.scopes)) defined = definitionsOf(fresh);
      for (const fn of this.afterStore) await fn(q, freshIds);
      return out;
    };
    // Activity definitions are merged once the statements are stored, outside their transaction: inside it, a batch
    // that first named an Activity held the new lrs_activity row until commit, and every concurrent batch naming it
    // waited that long (bench:lrs: 8 writers queued behind each other). The definitions are current before the
    // client's answer; only a crash between the two could miss an update, which the next statement repairs.
    if (options.q) {
      // In the caller's transaction: the merge waits for a connection, so it runs once the caller commits (awaiting it
      // here would deadlock a pool of one, embedded PGlite).
      const ids = await write(options.q);
      void this.repo.defineActivities(defined).catch(() => undefined);
      return ids;
    }
    const storedIds = await this.db.tx(write);
    await this.repo.defineActivities(defined);
    return storedIds;
  }

  /** One statement by id; `voided` asks for a voided one (voidedStatementId), which is otherwise hidden. */
  async get(id: string, options: { voided: boolean; credentialKey?: string }): Promise<StoredRow | undefined> {
    const row = await this.repo.findById(id.toLowerCase());
    if (!row || row.voided !== options.voided) return undefined;
    if (options.credentialKey && row.credentialKey !== options.credentialKey) return undefined;
    return row;
  }

  async query(filter: StatementFilter): Promise<{ rows: StoredRow[]; next?: { stored: string; seq: string } }> {
    const rows = await this.queries.query(filter);
    if (rows.length <= filter.limit) return { rows };
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1]!;
    return { rows: page, next: { stored: last.stored.toISOString(), seq: last.seq } };
  }

  attachments(sha2s: string[]) {
    return this.repo.getAttachments(sha2s);
  }

  activity(id: string) {
    return this.repo.activity(id);
  }
}

function definitionsOf(statements: JsonObject[]): { id: string; definition: JsonObject | null }[] {
  const out = new Map<string, JsonObject | null>();
  const add = (a: unknown) => {
    if (!isObject(a) || typeof a.id !== 'string' || (a.objectType !== undefined && a.objectType !== 'Activity')) return;
    out.set(a.id, mergeDefinition(out.get(a.id) ?? null, isObject(a.definition) ? a.definition : null));
  };
  for (const s of statements) {
    add(s.object);
    const ctx = s.context;
    if (isObject(ctx) && isObject(ctx.contextActivities)) for (const v of Object.values(ctx.contextActivities)) for (const a of Array.isArray(v) ? v : [v]) add(a);
    if (isObject(s.object) && s.object.objectType === 'SubStatement') add(s.object.object);
  }
  return [...out].map(([id, definition]) => ({ id, definition }));
}

