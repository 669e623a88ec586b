/**
 * SQL of the forwarding outbox. Rows are claimed with FOR UPDATE SKIP LOCKED and leased: a claim moves
 * `next_attempt_at` to the end of the lease, so a worker that dies leaves rows that become due again by themselves.
 * Every outcome is written only under the claiming worker's lease (`locked_by`).
 */
import type { Db, Queryable } from '../../db';
import type { JsonObject } from '../model';

export interface Claimed {
  id: string;
  target: string;
  statementId: string;
  attempts: number;
  statement: JsonObject;
}

export interface TargetStatus {
  name: string;
  endpoint: string;
  configured: boolean;
  state: 'ok' | 'failing';
  pending: number;
  failing: number;
  delivered: number;
  oldestPendingAt: string | null;
  lastDeliveredAt: string | null;
  pausedUntil: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export class ForwardStore {
  constructor(readonly db: Db) {}

  /** Records the configured targets (their endpoints may change; their counters stay). */
  async syncTargets(targets: { name: string; endpoint: string }[]): Promise<void> {
    for (const t of targets) {
      await this.db.query(
        `INSERT INTO lrs_forward_target (name, endpoint) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET endpoint = EXCLUDED.endpoint WHERE lrs_forward_target.endpoint <> EXCLUDED.endpoint`,
        [t.name, t.endpoint],
      );
    }
  }

  /** One outbox row per statement and target, in the storing transaction `q`. */
  async enqueue(q: Queryable, targets: string[], statementIds: string[]): Promise<void> {
    if (targets.length === 0 || statementIds.length === 0) return;
    await q.query(
      `INSERT INTO lrs_forward_outbox (target, statement_id)
       SELECT t, i FROM unnest($1::text[]) t CROSS JOIN unnest($2::uuid[]) i
       ON CONFLICT (target, statement_id) DO NOTHING`,
      [targets, statementIds],
    );
  }

  /**
   * Claims up to `limit` due rows of one target under a lease. A target with failures is probed: only when its
   * pause is over, only one row, and only by the worker that wins the probe (the pause moves to the lease's end).
   */
  async claim(o: { target: string; workerId: string; limit: number; leaseSeconds: number }): Promise<Claimed[]> {
    const { rows: t } = await this.db.query<{ failures: number; waiting: boolean }>(
      `SELECT failures, coalesce(paused_until > now(), false) OR coalesce(probe_until > now(), false) AS waiting FROM lrs_forward_target WHERE name = $1`,
      [o.target]);
    if (!t[0] || o.limit <= 0) return [];
    let limit = o.limit;
    if (t[0].failures > 0) {
      if (t[0].waiting) return [];
      const { rowCount } = await this.db.query(
        `UPDATE lrs_forward_target SET probe_until = now() + make_interval(secs => $2)
         WHERE name = $1 AND failures > 0 AND coalesce(paused_until <= now(), true) AND coalesce(probe_until <= now(), true)`,
        [o.target, o.leaseSeconds],
      );
      if (!rowCount) return [];
      limit = 1;
    }
    const { rows } = await this.db.query<Claimed>(
      `WITH c AS (
         UPDATE lrs_forward_outbox o
         SET locked_by = $2, locked_until = now() + make_interval(secs => $4), next_attempt_at = now() + make_interval(secs => $4),
             attempts = o.attempts + 1, last_attempt_at = now()
         WHERE o.id IN (SELECT id FROM lrs_forward_outbox WHERE target = $1 AND next_attempt_at <= now()
                        ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING o.id, o.target, o.statement_id, o.attempts)
       SELECT c.id::text AS id, c.target, c.statement_id::text AS "statementId", c.attempts, s.statement
       FROM c JOIN lrs_statement s ON s.id = c.statement_id ORDER BY c.id`,
      [o.target, o.workerId, limit, o.leaseSeconds],
    );
    return rows;
  }

  async attachments(sha2s: string[]): Promise<{ sha2: string; contentType: string; content: Buffer }[]> {
    if (sha2s.length === 0) return [];
    const { rows } = await this.db.query<{ sha2: string; contentType: string; content: Buffer }>(
      `SELECT sha2, content_type AS "contentType", content FROM lrs_attachment WHERE sha2 = ANY($1::text[])`, [sha2s]);
    return rows;
  }

  /** Deletes a delivered row and counts it; a target that answered is healthy again. False if the lease was lost. */
  async delivered(o: { id: string; target: string; workerId: string }): Promise<boolean> {
    return this.db.tx(async (q) => {
      const { rowCount } = await q.query(`DELETE FROM lrs_forward_outbox WHERE id = $1 AND locked_by = $2`, [o.id, o.workerId]);
      await q.query(
        `UPDATE lrs_forward_target SET delivered = delivered + $2, last_delivered_at = now(), failures = 0, paused_until = NULL, probe_until = NULL,
         updated_at = now() WHERE name = $1`,
        [o.target, rowCount ?? 0],
      );
      return (rowCount ?? 0) > 0;
    });
  }

  /** This statement failed there: it alone waits `delaySeconds`; the target answered, so it is healthy. */
  async statementFailed(o: { id: string; target: string; workerId: string; delaySeconds: number; error: string }): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query(
        `UPDATE lrs_forward_outbox SET locked_by = NULL, locked_until = NULL, next_attempt_at = now() + make_interval(secs => $3), last_error = $4
         WHERE id = $1 AND locked_by = $2`,
        [o.id, o.workerId, o.delaySeconds, o.error],
      );
      await q.query(`UPDATE lrs_forward_target SET failures = 0, paused_until = NULL, probe_until = NULL, updated_at = now() WHERE name = $1 AND failures > 0`, [o.target]);
    });
  }

  /**
   * The target failed (down, slow, refusing our credential): the row is due again at once, but the target is paused
   * for `backoff(failures)` seconds, computed here from its consecutive failures.
   */
  async targetFailed(o: { id: string; target: string; workerId: string; error: string; pauseSeconds: (failures: number) => number }): Promise<number> {
    return this.db.tx(async (q) => {
      await q.query(
        `UPDATE lrs_forward_outbox SET locked_by = NULL, locked_until = NULL, next_attempt_at = now(), last_error = $3 WHERE id = $1 AND locked_by = $2`,
        [o.id, o.workerId, o.error],
      );
      // Deliveries in flight when a target goes down all fail together: only the first of them counts.
      const { rows } = await q.query<{ failures: number }>(
        `UPDATE lrs_forward_target SET failures = failures + 1, probe_until = NULL, last_error = $2, last_error_at = now(), updated_at = now()
         WHERE name = $1 AND coalesce(paused_until <= now(), true) RETURNING failures`,
        [o.target, o.error],
      );
      const failures = rows[0]?.failures ?? 0;
      if (failures > 0) {
        await q.query(`UPDATE lrs_forward_target SET paused_until = now() + make_interval(secs => $2) WHERE name = $1`, [o.target, o.pauseSeconds(failures)]);
      } else {
        await q.query(`UPDATE lrs_forward_target SET last_error = $2, last_error_at = now() WHERE name = $1`, [o.target, o.error]);
      }
      return failures;
    });
  }

  /** Gives back rows without an outcome (a worker closing): due at once, attempt not counted as a failure. */
  async release(o: { workerId: string; ids?: string[] }): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE lrs_forward_outbox SET locked_by = NULL, locked_until = NULL, next_attempt_at = now(), attempts = greatest(attempts - 1, 0)
       WHERE locked_by = $1 AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))`,
      [o.workerId, o.ids ?? null],
    );
    return rowCount ?? 0;
  }

  /** Per target: rows waiting (never failed / last attempt failed), delivered count, health and last error. */
  async status(configured: string[]): Promise<TargetStatus[]> {
    const { rows } = await this.db.query<{
      name: string; endpoint: string; delivered: string; last_delivered_at: Date | null; failures: number; paused_until: Date | null;
      last_error: string | null; last_error_at: Date | null; pending: string; failing: string; oldest: Date | null; row_error: string | null; row_error_at: Date | null;
    }>(
      `SELECT t.*, coalesce(o.pending, 0) AS pending, coalesce(o.failing, 0) AS failing, o.oldest, e.last_error AS row_error, e.last_attempt_at AS row_error_at
       FROM lrs_forward_target t
       LEFT JOIN (SELECT target, count(*) FILTER (WHERE last_error IS NULL) AS pending, count(*) FILTER (WHERE last_error IS NOT NULL) AS failing,
                         min(created_at) AS oldest
                  FROM lrs_forward_outbox GROUP BY target) o ON o.target = t.name
       LEFT JOIN LATERAL (SELECT last_error, last_attempt_at FROM lrs_forward_outbox x WHERE x.target = t.name AND x.last_error IS NOT NULL
                          ORDER BY last_attempt_at DESC LIMIT 1) e ON true
       ORDER BY t.name`,
    );
    return rows.map((r) => {
      const targetNewer = r.last_error_at && (!r.row_error_at || r.last_error_at >= r.row_error_at);
      return {
        name: r.name, endpoint: r.endpoint, configured: configured.includes(r.name),
        state: r.failures > 0 || Number(r.failing) > 0 ? 'failing' : 'ok',
        pending: Number(r.pending), failing: Number(r.failing), delivered: Number(r.delivered),
        oldestPendingAt: r.oldest?.toISOString() ?? null, lastDeliveredAt: r.last_delivered_at?.toISOString() ?? null,
        pausedUntil: r.failures > 0 ? (r.paused_until?.toISOString() ?? null) : null,
        lastError: r.failures > 0 || Number(r.failing) > 0 ? ((targetNewer ? r.last_error : r.row_error) ?? r.row_error ?? r.last_error) : null,
        lastErrorAt: r.failures > 0 || Number(r.failing) > 0 ? ((targetNewer ? r.last_error_at : r.row_error_at)?.toISOString() ?? null) : null,
      };
    });
  }
}
