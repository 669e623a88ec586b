/**
 * SQL of the passback outbox. Writes that belong to a delivery are guarded by the worker's lease (`locked_by`),
 * so a worker whose lease was taken over can never overwrite the outcome of the one that took it.
 */
import type { Db, Queryable } from '../db';
import type { ClaimedEntry, DisplayStatus, OutboxEntry, OutboxPayload, OutboxStatus } from './model';

type Row = {
  id: string; idempotency_key: string; kind: string; platform_id: string; user_sub: string; target_key: string;
  lineitems_url: string | null; lineitem_url: string | null; resource_link_id: string | null; payload: OutboxPayload;
  score_timestamp: Date; status: OutboxStatus; attempts: number; next_attempt_at: Date; locked_until: Date | null;
  locked_by: string | null; last_error: string | null; last_attempt_at: Date | null; retry_since: Date;
  superseded_by: string | null; delivered_at: Date | null; created_at: Date;
};

const toEntry = (r: Row): OutboxEntry => ({
  id: String(r.id), idempotencyKey: r.idempotency_key, kind: r.kind, platformId: r.platform_id, userSub: r.user_sub,
  targetKey: r.target_key, lineItemsUrl: r.lineitems_url, lineItemUrl: r.lineitem_url, resourceLinkId: r.resource_link_id,
  payload: r.payload, scoreTimestamp: r.score_timestamp, status: r.status,
  displayStatus: r.status === 'pending' && r.last_error ? 'failing' : r.status,
  attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lockedUntil: r.locked_until, lockedBy: r.locked_by,
  lastError: r.last_error, lastAttemptAt: r.last_attempt_at, retrySince: r.retry_since,
  supersededBy: r.superseded_by === null ? null : String(r.superseded_by), deliveredAt: r.delivered_at, createdAt: r.created_at,
});

/** Same learner, same line item (the gradebook cell). */
const SIBLING = 's.platform_id = o.platform_id AND s.target_key = o.target_key AND s.user_sub = o.user_sub';
const UNLEASED = '(o.locked_until IS NULL OR o.locked_until <= now())';

const DISPLAY_WHERE: Record<DisplayStatus, string> = {
  pending: "status = 'pending' AND last_error IS NULL",
  failing: "status = 'pending' AND last_error IS NOT NULL",
  delivered: "status = 'delivered'",
  failed: "status = 'failed'",
  superseded: "status = 'superseded'",
};

export interface NewEntry {
  idempotencyKey: string;
  kind: string;
  platformId: string;
  userSub: string;
  targetKey: string;
  lineItemsUrl?: string;
  lineItemUrl?: string;
  resourceLinkId?: string;
  payload: OutboxPayload;
  scoreTimestamp: Date;
}

/**
 * Inserts an entry in the caller's transaction. An older undelivered score for the same cell is superseded
 * (unless a worker is sending it right now: then the new one waits behind it); a score older than one already
 * recorded for the cell is stored as superseded at once.
 */
export async function insertEntry(q: Queryable, e: NewEntry): Promise<{ id: string; created: boolean; status: OutboxStatus }> {
  const inserted = await q.query<{ id: string }>(
    `INSERT INTO passback_outbox (idempotency_key, kind, platform_id, user_sub, target_key, lineitems_url, lineitem_url,
                                  resource_link_id, payload, score_timestamp)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    [e.idempotencyKey, e.kind, e.platformId, e.userSub, e.targetKey, e.lineItemsUrl ?? null, e.lineItemUrl ?? null,
      e.resourceLinkId ?? null, JSON.stringify(e.payload), e.scoreTimestamp],
  );
  if (!inserted.rows[0]) {
    const existing = await q.query<{ id: string; status: OutboxStatus }>('SELECT id, status FROM passback_outbox WHERE idempotency_key = $1', [e.idempotencyKey]);
    return { id: String(existing.rows[0]!.id), created: false, status: existing.rows[0]!.status };
  }
  const id = String(inserted.rows[0].id);
  await q.query(
    `UPDATE passback_outbox o SET status = 'superseded', superseded_by = $4, locked_until = NULL, locked_by = NULL, updated_at = now()
      WHERE o.platform_id = $1 AND o.target_key = $2 AND o.user_sub = $3 AND o.id <> $4
        AND o.status IN ('pending', 'failed') AND ${UNLEASED}
        AND (o.score_timestamp < $5 OR (o.score_timestamp = $5 AND o.id < $4))`,
    [e.platformId, e.targetKey, e.userSub, id, e.scoreTimestamp],
  );
  const newer = await q.query<{ id: string }>(
    `SELECT id FROM passback_outbox
      WHERE platform_id = $1 AND target_key = $2 AND user_sub = $3 AND id <> $4
        AND status IN ('pending', 'delivered', 'failed') AND score_timestamp > $5
      ORDER BY score_timestamp DESC, id DESC LIMIT 1`,
    [e.platformId, e.targetKey, e.userSub, id, e.scoreTimestamp],
  );
  if (newer.rows[0]) {
    await q.query("UPDATE passback_outbox SET status = 'superseded', superseded_by = $2 WHERE id = $1", [id, newer.rows[0].id]);
    return { id, created: true, status: 'superseded' };
  }
  return { id, created: true, status: 'pending' };
}


export class PassbackStore {
  constructor(private readonly db: Db) {}

  /**
   * Claims up to `limit` entries for one worker: first one probe per platform whose circuit is open and due, then
   * due entries of platforms whose circuit is closed. Rows are taken with FOR UPDATE SKIP LOCKED (two workers
   * never take the same row) and leased until `leaseSeconds` from now (a worker that dies is taken over after).
   * Per cell only the oldest pending entry is claimable, so a learner's scores reach the LMS in order.
   */
  async claim(o: { workerId: string; limit: number; leaseSeconds: number; probeSeconds: number; platformIds?: string[] }): Promise<ClaimedEntry[]> {
    if (o.limit <= 0) return [];
    const platforms = o.platformIds ?? null;
    return this.db.tx(async (q) => {
      const probeIds: string[] = [];
      const probing = await q.query<{ platform_id: string }>(
        `UPDATE passback_circuit SET probe_at = now() + make_interval(secs => $1::int), updated_at = now()
          WHERE open AND probe_at <= now() AND ($2::text[] IS NULL OR platform_id = ANY($2::text[]))
          RETURNING platform_id`,
        [o.probeSeconds, platforms],
      );
      for (const { platform_id } of probing.rows.slice(0, o.limit)) {
        const row = await q.query<{ id: string }>(
          `SELECT o.id FROM passback_outbox o
            WHERE o.platform_id = $1 AND o.status = 'pending' AND ${UNLEASED}
              AND NOT EXISTS (SELECT 1 FROM passback_outbox s WHERE ${SIBLING} AND s.status = 'pending' AND s.id < o.id)
            ORDER BY o.next_attempt_at, o.id LIMIT 1
            FOR UPDATE OF o SKIP LOCKED`,
          [platform_id],
        );
        if (row.rows[0]) probeIds.push(String(row.rows[0].id));
        else {
          // Nothing left to protect: close the circuit unless entries of this platform are in flight.
          await q.query(
            `DELETE FROM passback_circuit c WHERE c.platform_id = $1
               AND NOT EXISTS (SELECT 1 FROM passback_outbox o WHERE o.platform_id = $1 AND o.status = 'pending')`,
            [platform_id],
          );
        }
      }
      const due = await q.query<{ id: string; newer_id: string | null }>(
        `SELECT o.id,
                (SELECT max(s.id) FROM passback_outbox s WHERE ${SIBLING} AND s.status = 'pending' AND s.id > o.id) AS newer_id
           FROM passback_outbox o
          WHERE o.status = 'pending' AND o.next_attempt_at <= now() AND ${UNLEASED}
            AND ($1::text[] IS NULL OR o.platform_id = ANY($1::text[]))
            AND NOT EXISTS (SELECT 1 FROM passback_circuit c WHERE c.platform_id = o.platform_id AND c.open)
            AND NOT EXISTS (SELECT 1 FROM passback_outbox s WHERE ${SIBLING} AND s.status = 'pending' AND s.id < o.id)
          ORDER BY o.next_attempt_at, o.id
          LIMIT $2
          FOR UPDATE OF o SKIP LOCKED`,
        [platforms, o.limit - probeIds.length],
      );
      // An entry with a newer pending score for its cell is not sent at all: the newer one replaces it.
      for (const r of due.rows.filter((x) => x.newer_id !== null)) {
        await q.query("UPDATE passback_outbox SET status = 'superseded', superseded_by = $2, updated_at = now() WHERE id = $1", [r.id, r.newer_id]);
      }
      const ids = [...probeIds, ...due.rows.filter((x) => x.newer_id === null).map((x) => String(x.id))];
      if (ids.length === 0) return [];
      const leased = await q.query<Row>(
        `UPDATE passback_outbox SET locked_until = now() + make_interval(secs => $2::int), locked_by = $3,
                attempts = attempts + 1, last_attempt_at = now(), updated_at = now()
          WHERE id = ANY($1::bigint[]) RETURNING *`,
        [ids, o.leaseSeconds, o.workerId],
      );
      const probes = new Set(probeIds);
      return leased.rows.map((r) => ({ ...toEntry(r), probe: probes.has(String(r.id)) }));
    });
  }

  async markDelivered(o: { id: string; workerId: string; lineItemUrl: string }): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE passback_outbox SET status = 'delivered', delivered_at = now(), lineitem_url = $3, last_error = NULL,
              locked_until = NULL, locked_by = NULL, updated_at = now()
        WHERE id = $1 AND locked_by = $2`,
      [o.id, o.workerId, o.lineItemUrl],
    );
    return (res.rowCount ?? 0) > 0;
  }

  /**
   * Puts a failed entry back for a later try, or gives up on it (failed, still re-deliverable by hand) once it has
   * been retried for `maxAgeSeconds`; an entry whose cell got a newer score meanwhile is superseded instead.
   */
  async markRetry(o: { id: string; workerId: string; delaySeconds: number; maxAgeSeconds: number; error: string; lineItemUrl?: string }): Promise<OutboxStatus | null> {
    const res = await this.db.query<{ status: OutboxStatus }>(
      `UPDATE passback_outbox o SET
              status = CASE
                WHEN EXISTS (SELECT 1 FROM passback_outbox s WHERE ${SIBLING} AND s.status = 'pending' AND s.id > o.id) THEN 'superseded'
                WHEN now() - o.retry_since >= make_interval(secs => $4::int) THEN 'failed'
                ELSE 'pending' END,
              superseded_by = (SELECT max(s.id) FROM passback_outbox s WHERE ${SIBLING} AND s.status = 'pending' AND s.id > o.id),
              next_attempt_at = now() + make_interval(secs => $3::double precision),
              last_error = $5, lineitem_url = COALESCE($6, o.lineitem_url),
              locked_until = NULL, locked_by = NULL, updated_at = now()
        WHERE o.id = $1 AND o.locked_by = $2
        RETURNING o.status`,
      [o.id, o.workerId, o.delaySeconds, o.maxAgeSeconds, o.error.slice(0, 1000), o.lineItemUrl ?? null],
    );
    return res.rows[0]?.status ?? null;
  }

  async markFailed(o: { id: string; workerId: string; error: string }): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE passback_outbox SET status = 'failed', last_error = $3, locked_until = NULL, locked_by = NULL, updated_at = now()
        WHERE id = $1 AND locked_by = $2`,
      [o.id, o.workerId, o.error.slice(0, 1000)],
    );
    return (res.rowCount ?? 0) > 0;
  }

  /** Gives a claimed entry back untried (worker stopping, line item being made elsewhere): the attempt does not count. */
  async release(o: { id: string; workerId: string; delaySeconds: number }): Promise<void> {
    await this.db.query(
      `UPDATE passback_outbox SET locked_until = NULL, locked_by = NULL, attempts = greatest(attempts - 1, 0),
              next_attempt_at = now() + make_interval(secs => $3::double precision), updated_at = now()
        WHERE id = $1 AND locked_by = $2`,
      [o.id, o.workerId, o.delaySeconds],
    );
  }

  /** Releases leases of workers other than this process's (embedded database: only one process can exist). */
  async releaseForeignLeases(processTag: string): Promise<number> {
    const res = await this.db.query(
      `UPDATE passback_outbox SET locked_until = NULL, locked_by = NULL, updated_at = now()
        WHERE locked_by IS NOT NULL AND position($1 in locked_by) = 0`,
      [processTag],
    );
    return res.rowCount ?? 0;
  }

  // --- circuit per platform ---

  /** Counts a platform-level failure; opens the circuit at `threshold` consecutive ones. Returns whether it is open. */
  async platformFailure(o: { platformId: string; threshold: number; probeSeconds: number; error: string }): Promise<boolean> {
    const res = await this.db.query<{ open: boolean }>(
      `INSERT INTO passback_circuit AS c (platform_id, failures, open, opened_at, probe_at, last_error)
       VALUES ($1, 1, 1 >= $2, CASE WHEN 1 >= $2 THEN now() END, CASE WHEN 1 >= $2 THEN now() + make_interval(secs => $3::int) END, $4)
       ON CONFLICT (platform_id) DO UPDATE SET
         failures = c.failures + 1,
         open = c.open OR c.failures + 1 >= $2,
         opened_at = CASE WHEN c.open THEN c.opened_at WHEN c.failures + 1 >= $2 THEN now() END,
         probe_at = CASE WHEN c.open OR c.failures + 1 >= $2 THEN now() + make_interval(secs => $3::int) END,
         last_error = $4, updated_at = now()
       RETURNING open`,
      [o.platformId, o.threshold, o.probeSeconds, o.error.slice(0, 1000)],
    );
    return res.rows[0]?.open ?? false;
  }

  /** The platform answered: reset its circuit; if it was open, every waiting entry of the platform is due now. */
  async platformAnswered(platformId: string): Promise<number> {
    const res = await this.db.query<{ open: boolean }>('DELETE FROM passback_circuit WHERE platform_id = $1 RETURNING open', [platformId]);
    if (!res.rows[0]?.open) return 0;
    const due = await this.db.query(
      `UPDATE passback_outbox SET next_attempt_at = now(), updated_at = now()
        WHERE platform_id = $1 AND status = 'pending' AND next_attempt_at > now()`,
      [platformId],
    );
    return due.rowCount ?? 0;
  }

  async circuit(platformId: string): Promise<{ failures: number; open: boolean; probeAt: Date | null } | null> {
    const res = await this.db.query<{ failures: number; open: boolean; probe_at: Date | null }>(
      'SELECT failures, open, probe_at FROM passback_circuit WHERE platform_id = $1', [platformId]);
    const r = res.rows[0];
    return r ? { failures: r.failures, open: r.open, probeAt: r.probe_at } : null;
  }

  // --- line items shared by a resource link ---

  async cachedLineItem(platformId: string, key: string): Promise<string | null> {
    const res = await this.db.query<{ lineitem_url: string | null }>(
      'SELECT lineitem_url FROM passback_lineitem WHERE platform_id = $1 AND target_key = $2', [platformId, key]);
    return res.rows[0]?.lineitem_url ?? null;
  }

  /** Takes the right to search and create a cell's line item, for `seconds`; or returns the URL another worker saved. */
  async acquireLineItemLease(o: { platformId: string; key: string; seconds: number }): Promise<{ acquired: boolean; url: string | null }> {
    const res = await this.db.query(
      `INSERT INTO passback_lineitem AS l (platform_id, target_key, creating_until) VALUES ($1, $2, now() + make_interval(secs => $3::int))
       ON CONFLICT (platform_id, target_key) DO UPDATE SET creating_until = EXCLUDED.creating_until, updated_at = now()
         WHERE l.lineitem_url IS NULL AND (l.creating_until IS NULL OR l.creating_until <= now())
       RETURNING target_key`,
      [o.platformId, o.key, o.seconds],
    );
    if (res.rows.length > 0) return { acquired: true, url: null };
    return { acquired: false, url: await this.cachedLineItem(o.platformId, o.key) };
  }

  async saveLineItem(o: { platformId: string; key: string; url: string | null }): Promise<void> {
    await this.db.query(
      'UPDATE passback_lineitem SET lineitem_url = COALESCE($3, lineitem_url), creating_until = NULL, updated_at = now() WHERE platform_id = $1 AND target_key = $2',
      [o.platformId, o.key, o.url],
    );
  }

  async forgetLineItem(platformId: string, key: string): Promise<void> {
    await this.db.query('DELETE FROM passback_lineitem WHERE platform_id = $1 AND target_key = $2', [platformId, key]);
  }

  // --- administration ---

  async get(id: string): Promise<OutboxEntry | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const res = await this.db.query<Row>('SELECT * FROM passback_outbox WHERE id = $1', [id]);
    return res.rows[0] ? toEntry(res.rows[0]) : null;
  }

  async list(o: { status?: DisplayStatus; platformId?: string; limit: number }): Promise<OutboxEntry[]> {
    const where = [o.status ? DISPLAY_WHERE[o.status] : 'true', o.platformId ? 'platform_id = $2' : 'true'];
    const params: unknown[] = [o.limit];
    if (o.platformId) params.push(o.platformId);
    const res = await this.db.query<Row>(`SELECT * FROM passback_outbox WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $1`, params);
    return res.rows.map(toEntry);
  }

  async counts(): Promise<Record<DisplayStatus, number>> {
    const res = await this.db.query<{ s: DisplayStatus; n: number }>(
      `SELECT CASE WHEN status = 'pending' AND last_error IS NOT NULL THEN 'failing' ELSE status END AS s, count(*)::int AS n
         FROM passback_outbox GROUP BY 1`);
    const out: Record<DisplayStatus, number> = { pending: 0, failing: 0, delivered: 0, failed: 0, superseded: 0 };
    for (const r of res.rows) out[r.s] = r.n;
    return out;
  }

  /** Whether a score newer than this entry's exists for its cell (re-sending this one would overwrite it). */
  async hasNewer(e: OutboxEntry): Promise<boolean> {
    const res = await this.db.query(
      `SELECT 1 FROM passback_outbox WHERE platform_id = $1 AND target_key = $2 AND user_sub = $3 AND id <> $4
          AND status IN ('pending', 'delivered', 'failed') AND (score_timestamp > $5 OR (score_timestamp = $5 AND id > $4)) LIMIT 1`,
      [e.platformId, e.targetKey, e.userSub, e.id, e.scoreTimestamp]);
    return res.rows.length > 0;
  }

  /**
   * Makes an entry due now with a fresh max-age clock (a retry by hand). A line item this entry had resolved is
   * searched again (it may have been deleted in the LMS). If the platform's circuit is open, it probes now.
   * Returns false when a worker holds the entry right now.
   */
  async retryNow(e: OutboxEntry): Promise<boolean> {
    return this.db.tx(async (q) => {
      const res = await q.query(
        `UPDATE passback_outbox o SET status = 'pending', next_attempt_at = now(), retry_since = now(), superseded_by = NULL,
                delivered_at = NULL, lineitem_url = o.payload->>'launchLineItemUrl', updated_at = now()
          WHERE o.id = $1 AND o.status <> 'superseded' AND ${UNLEASED}`,
        [e.id]);
      if ((res.rowCount ?? 0) === 0) return false;
      if (!e.payload.launchLineItemUrl && e.status === 'failed') {
        await q.query('DELETE FROM passback_lineitem WHERE platform_id = $1 AND target_key = $2', [e.platformId, e.targetKey]);
      }
      await q.query('UPDATE passback_circuit SET probe_at = now() WHERE platform_id = $1 AND open', [e.platformId]);
      return true;
    });
  }
}
