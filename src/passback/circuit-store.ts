/**
 * SQL of the circuit per platform: consecutive platform-level failures (timeouts, refused connections, 5xx). Open,
 * the platform gets one probe at a time (the claim in store.ts takes it); its first answer closes the circuit.
 */
import type { Db } from '../db';

export class CircuitStore {
  constructor(private readonly db: Db) {}

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
        WHERE platform_id = $1 AND status = 'pending' AND next_attempt_at > now() AND next_attempt_at < 'infinity'`,
      [platformId],
    );
    return due.rowCount ?? 0;
  }

  async get(platformId: string): Promise<{ failures: number; open: boolean; probeAt: Date | null } | null> {
    const res = await this.db.query<{ failures: number; open: boolean; probe_at: Date | null }>(
      'SELECT failures, open, probe_at FROM passback_circuit WHERE platform_id = $1', [platformId]);
    const r = res.rows[0];
    return r ? { failures: r.failures, open: r.open, probeAt: r.probe_at } : null;
  }
}
