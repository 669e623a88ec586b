/** SQL of the line items found or created per resource link, shared by every learner's delivery and every process. */
import type { Db } from '../db';

export class LineItemStore {
  constructor(private readonly db: Db) {}

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
}
