/**
 * The document resources: State, Activity Profile, Agent Profile (xAPI 1.0.3 Part 3 §2.2-2.7, 2.0.0 §4.1.6.2-6).
 * PUT stores, POST merges JSON objects (top-level properties, new ones win), DELETE removes, GET reads one or lists
 * ids. Optimistic concurrency with ETags (1.0.3 §3.1, 2.0.0 §4.1.4): If-Match / If-None-Match give 412 when they
 * fail; a PUT without either on an existing document is a 409 for profiles (1.0.x) and every document (2.0).
 * Under 1.0.x a profile PUT must always carry one of them (400 otherwise: 1.0.3 Part 3 §2.6/§2.7, XAPI-00273).
 */
import crypto from 'node:crypto';
import { AppError, ConflictError, ValidationError } from '../errors';
import type { Family } from './model';
import { isObject } from './validate/primitives';
import type { DocumentKey, DocumentScope, DocumentStore, StoredDocument } from './store-documents';

export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

export class PreconditionFailedError extends AppError {
  constructor(message: string) {
    super({ code: 'XAPI_PRECONDITION_FAILED', httpStatus: 412, kind: 'conflict', message });
    this.name = 'PreconditionFailedError';
  }
}

export const etagOf = (content: Buffer) => `"${crypto.createHash('sha1').update(content).digest('hex')}"`;

const tags = (header: string) => header.split(',').map((t) => t.trim().replace(/^W\//, ''));

function checkPreconditions(current: StoredDocument | undefined, pre: Preconditions): void {
  if (pre.ifMatch !== undefined) {
    const list = tags(pre.ifMatch);
    const ok = current && (list.includes('*') || list.includes(current.etag) || list.includes(current.etag.slice(1, -1)));
    if (!ok) throw new PreconditionFailedError('If-Match does not match the current document.');
  }
  if (pre.ifNoneMatch !== undefined && current) {
    const list = tags(pre.ifNoneMatch);
    if (list.includes('*') || list.includes(current.etag) || list.includes(current.etag.slice(1, -1))) {
      throw new PreconditionFailedError('If-None-Match: the document already exists.');
    }
  }
}

function parseJsonObject(content: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    throw new ValidationError(`The ${what} document is not JSON, so it cannot be merged.`, undefined, 'XAPI_NOT_JSON');
  }
  if (!isObject(value)) throw new ValidationError(`The ${what} document is not a JSON object, so it cannot be merged.`, undefined, 'XAPI_NOT_JSON');
  return value;
}

const isJsonType = (ct: string) => ct.split(';')[0]!.trim().toLowerCase() === 'application/json';

export class DocumentService {
  constructor(private readonly store: DocumentStore) {}

  get(key: DocumentKey): Promise<StoredDocument | undefined> {
    return this.store.get(this.store.db, key, { forUpdate: false });
  }

  ids(scope: DocumentScope, since?: string): Promise<string[]> {
    return this.store.ids(scope, since);
  }

  async put(key: DocumentKey, body: { contentType: string; content: Buffer }, options: { pre: Preconditions; family: Family }): Promise<void> {
    await this.store.db.tx(async (q) => {
      const current = await this.store.get(q, key, { forUpdate: true });
      checkPreconditions(current, options.pre);
      const guarded = key.kind !== 'state' || options.family === '2.0';
      const unconditional = options.pre.ifMatch === undefined && options.pre.ifNoneMatch === undefined;
      if (!current && unconditional && key.kind !== 'state' && options.family === '1.0') {
        throw new ValidationError('A profile PUT needs If-Match or If-None-Match (xAPI 1.0.3 concurrency).', undefined, 'XAPI_CONCURRENCY');
      }
      if (current && guarded && unconditional) {
        throw new ConflictError('The document exists: send If-Match with its ETag (or If-None-Match: *) to say what you expect to overwrite.', 'XAPI_CONCURRENCY');
      }
      await this.store.put(q, key, { contentType: body.contentType, content: body.content, etag: etagOf(body.content), updated: new Date() });
    });
  }

  async post(key: DocumentKey, body: { contentType: string; content: Buffer }, options: { pre: Preconditions }): Promise<void> {
    await this.store.db.tx(async (q) => {
      const current = await this.store.get(q, key, { forUpdate: true });
      checkPreconditions(current, options.pre);
      let content = body.content;
      let contentType = body.contentType;
      if (current) {
        // Merging is defined only for two JSON objects (1.0.3 Part 3 §2.2 "JSON Procedure with Requirements").
        if (!isJsonType(current.contentType) || !isJsonType(body.contentType)) {
          throw new ValidationError('Both the stored and the posted document must be application/json to merge.', undefined, 'XAPI_NOT_JSON');
        }
        const merged = { ...parseJsonObject(current.content, 'stored'), ...parseJsonObject(body.content, 'posted') };
        content = Buffer.from(JSON.stringify(merged));
        contentType = 'application/json';
      } else if (isJsonType(body.contentType)) {
        parseJsonObject(body.content, 'posted');
      }
      await this.store.put(q, key, { contentType, content, etag: etagOf(content), updated: new Date() });
    });
  }

  async delete(key: DocumentKey, options: { pre: Preconditions }): Promise<void> {
    await this.store.db.tx(async (q) => {
      const current = await this.store.get(q, key, { forUpdate: true });
      checkPreconditions(current, options.pre);
      await this.store.delete(q, key);
    });
  }

  deleteAll(scope: DocumentScope): Promise<void> {
    return this.store.deleteAll(scope);
  }
}
