/**
 * SQL for State, Activity Profile and Agent Profile documents (one table, keyed by kind and the resource's
 * parameters). Reads for a write are taken FOR UPDATE inside the caller's transaction, so ETag preconditions
 * hold against concurrent writers.
 */
import type { Db, Queryable } from '../db';

export type DocumentKind = 'state' | 'activity-profile' | 'agent-profile';

export interface DocumentScope {
  kind: DocumentKind;
  activityId: string;
  agentKey: string;
  registration: string;
}

export interface DocumentKey extends DocumentScope {
  docId: string;
}

export interface StoredDocument {
  contentType: string;
  content: Buffer;
  etag: string;
  updated: Date;
}

const WHERE_SCOPE = `kind = $1 AND activity_id = $2 AND agent_key = $3 AND registration = $4`;
const scopeParams = (s: DocumentScope) => [s.kind, s.activityId, s.agentKey, s.registration];

export class DocumentStore {
  constructor(readonly db: Db) {}

  async get(q: Queryable, key: DocumentKey, options: { forUpdate: boolean }): Promise<StoredDocument | undefined> {
    const { rows } = await q.query<StoredDocument>(
      `SELECT content_type AS "contentType", content, etag, updated FROM lrs_document WHERE ${WHERE_SCOPE} AND doc_id = $5${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [...scopeParams(key), key.docId],
    );
    return rows[0];
  }

  async ids(scope: DocumentScope, since?: string): Promise<string[]> {
    const params: unknown[] = scopeParams(scope);
    let sql = `SELECT doc_id FROM lrs_document WHERE ${WHERE_SCOPE}`;
    if (since) {
      params.push(since);
      sql += ` AND updated > $5::timestamptz`;
    }
    const { rows } = await this.db.query<{ doc_id: string }>(`${sql} ORDER BY doc_id`, params);
    return rows.map((r) => r.doc_id);
  }

  async put(q: Queryable, key: DocumentKey, doc: StoredDocument): Promise<void> {
    await q.query(
      `INSERT INTO lrs_document (kind, activity_id, agent_key, registration, doc_id, content_type, content, etag, updated)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (kind, activity_id, agent_key, registration, doc_id)
       DO UPDATE SET content_type = EXCLUDED.content_type, content = EXCLUDED.content, etag = EXCLUDED.etag, updated = EXCLUDED.updated`,
      [...scopeParams(key), key.docId, doc.contentType, doc.content, doc.etag, doc.updated],
    );
  }

  async delete(q: Queryable, key: DocumentKey): Promise<void> {
    await q.query(`DELETE FROM lrs_document WHERE ${WHERE_SCOPE} AND doc_id = $5`, [...scopeParams(key), key.docId]);
  }

  /** Deletes every document of a scope (DELETE on the State Resource without stateId). */
  async deleteAll(scope: DocumentScope): Promise<void> {
    await this.db.query(`DELETE FROM lrs_document WHERE ${WHERE_SCOPE}`, scopeParams(scope));
  }
}
