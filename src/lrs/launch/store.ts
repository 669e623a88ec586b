/** SQL for launch credentials (lrs_launch_credential): issued per launch, found by key, swept after expiry. */
import type { Db } from '../../db';
import type { JsonObject } from '../model';

export interface LaunchCredentialRow {
  key: string;
  secretHash: string;
  actor: JsonObject;
  agentKey: string;
  activityId: string;
  registration: string | null;
  expiresAt: Date;
  /** The content the credential was issued for (its origin passes CORS; its own query parameters are ignored). */
  contentUrl: string | null;
  contentOrigin: string | null;
}

const COLS = `key, secret_hash AS "secretHash", actor, agent_key AS "agentKey", activity_id AS "activityId", registration::text AS registration, expires_at AS "expiresAt", content_url AS "contentUrl", content_origin AS "contentOrigin"`;

export class LaunchCredentialStore {
  constructor(private readonly db: Db) {}

  async insert(row: LaunchCredentialRow): Promise<void> {
    await this.db.query(
      `INSERT INTO lrs_launch_credential (key, secret_hash, actor, agent_key, activity_id, registration, expires_at, content_url, content_origin)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [row.key, row.secretHash, JSON.stringify(row.actor), row.agentKey, row.activityId, row.registration, row.expiresAt, row.contentUrl, row.contentOrigin],
    );
  }

  /** The credential with this key if it has not expired. */
  async findLive(key: string): Promise<LaunchCredentialRow | undefined> {
    const { rows } = await this.db.query<LaunchCredentialRow>(`SELECT ${COLS} FROM lrs_launch_credential WHERE key = $1 AND expires_at > now()`, [key]);
    return rows[0];
  }

  /** When the last live credential issued for content at `origin` expires; null when none is live. */
  async originLiveUntil(origin: string): Promise<Date | null> {
    const { rows } = await this.db.query<{ until: Date | null }>(
      `SELECT max(expires_at) AS until FROM lrs_launch_credential WHERE content_origin = $1 AND expires_at > now()`, [origin]);
    return rows[0]?.until ?? null;
  }

  /** Deletes credentials expired for more than a day (kept that long to explain a refusal in the logs). */
  async sweep(): Promise<number> {
    const { rowCount } = await this.db.query(`DELETE FROM lrs_launch_credential WHERE expires_at < now() - interval '1 day'`);
    return rowCount ?? 0;
  }
}
