/** SQL of the LTI feature: platforms (ltijs's documents, read directly on the hot path), deployments, login state, nonces, sessions. */
import type { Db, Queryable } from '../db';
import type { LaunchContext, PlatformRecord } from './model';

const PLATFORM_SELECT = `
  SELECT p.doc->>'kid' AS id, p.doc->>'platformUrl' AS issuer, p.doc->>'clientId' AS client_id,
         p.doc->>'platformName' AS name, p.doc->>'authEndpoint' AS auth_endpoint,
         p.doc->>'accesstokenEndpoint' AS token_endpoint,
         COALESCE(p.doc->>'authorizationServer', p.doc->>'accesstokenEndpoint') AS authorization_server,
         p.doc->'authConfig' AS auth_config,
         COALESCE((s.doc->>'active')::boolean, true) AS active
    FROM ltijs_document p
    LEFT JOIN ltijs_document s ON s.collection = 'platformStatus' AND s.doc->>'id' = p.doc->>'kid'
   WHERE p.collection = 'platform'`;

type PlatformRow = {
  id: string; issuer: string; client_id: string; name: string; auth_endpoint: string; token_endpoint: string;
  authorization_server: string; auth_config: PlatformRecord['authConfig']; active: boolean;
};

const toPlatform = (r: PlatformRow): PlatformRecord => ({
  id: r.id, issuer: r.issuer, clientId: r.client_id, name: r.name, authEndpoint: r.auth_endpoint,
  tokenEndpoint: r.token_endpoint, authorizationServer: r.authorization_server, authConfig: r.auth_config, active: r.active,
});

export class LtiStore {
  constructor(private readonly db: Db) {}

  async platformsByIssuer(issuer: string, clientId?: string): Promise<PlatformRecord[]> {
    const res = clientId
      ? await this.db.query<PlatformRow>(`${PLATFORM_SELECT} AND p.doc->>'platformUrl' = $1 AND p.doc->>'clientId' = $2`, [issuer, clientId])
      : await this.db.query<PlatformRow>(`${PLATFORM_SELECT} AND p.doc->>'platformUrl' = $1`, [issuer]);
    return res.rows.map(toPlatform);
  }

  async platformById(id: string): Promise<PlatformRecord | null> {
    const res = await this.db.query<PlatformRow>(`${PLATFORM_SELECT} AND p.doc->>'kid' = $1`, [id]);
    return res.rows[0] ? toPlatform(res.rows[0]) : null;
  }

  async allPlatforms(): Promise<PlatformRecord[]> {
    return (await this.db.query<PlatformRow>(`${PLATFORM_SELECT} ORDER BY p.id`)).rows.map(toPlatform);
  }

  async addDeployment(platformId: string, deploymentId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO lti_deployment (platform_id, deployment_id) VALUES ($1, $2)
       ON CONFLICT (platform_id, deployment_id) DO UPDATE SET active = true`,
      [platformId, deploymentId],
    );
  }

  async removeDeployment(platformId: string, deploymentId: string): Promise<boolean> {
    const res = await this.db.query('DELETE FROM lti_deployment WHERE platform_id = $1 AND deployment_id = $2', [platformId, deploymentId]);
    return (res.rowCount ?? 0) > 0;
  }

  async deployments(platformId: string): Promise<{ deploymentId: string; active: boolean }[]> {
    const res = await this.db.query<{ deployment_id: string; active: boolean }>(
      'SELECT deployment_id, active FROM lti_deployment WHERE platform_id = $1 ORDER BY created_at', [platformId]);
    return res.rows.map((r) => ({ deploymentId: r.deployment_id, active: r.active }));
  }

  async isDeploymentActive(platformId: string, deploymentId: string): Promise<boolean> {
    const res = await this.db.query('SELECT 1 FROM lti_deployment WHERE platform_id = $1 AND deployment_id = $2 AND active', [platformId, deploymentId]);
    return res.rows.length > 0;
  }

  async removePlatformData(q: Queryable, platformId: string): Promise<void> {
    await q.query('DELETE FROM lti_deployment WHERE platform_id = $1', [platformId]);
    await q.query('DELETE FROM lti_session WHERE platform_id = $1', [platformId]);
  }

  async saveLoginState(s: { state: string; nonce: string; platformId: string; browserBinding: string; targetLinkUri: string; storageTarget?: string; ttlSeconds: number }): Promise<void> {
    await this.db.query(
      `INSERT INTO lti_login_state (state, nonce, platform_id, browser_binding, target_link_uri, storage_target, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::int))`,
      [s.state, s.nonce, s.platformId, s.browserBinding, s.targetLinkUri, s.storageTarget ?? null, s.ttlSeconds],
    );
  }

  /**
   * Takes a login state exactly once, and only for the browser whose binding (sha256 of its state cookie) matches:
   * a second launch with the same state finds nothing, and another browser's attempt leaves the state in place.
   */
  async consumeLoginState(state: string, browserBinding: string | undefined): Promise<
    { nonce: string; platformId: string; storageTarget: string | null; expired: boolean } | 'unknown' | 'other-browser'
  > {
    if (browserBinding) {
      const res = await this.db.query<{ nonce: string; platform_id: string; storage_target: string | null; expired: boolean }>(
        `DELETE FROM lti_login_state WHERE state = $1 AND browser_binding = $2
         RETURNING nonce, platform_id, storage_target, expires_at <= now() AS expired`, [state, browserBinding]);
      const r = res.rows[0];
      if (r) return { nonce: r.nonce, platformId: r.platform_id, storageTarget: r.storage_target, expired: r.expired };
    }
    const exists = await this.db.query('SELECT 1 FROM lti_login_state WHERE state = $1', [state]);
    return exists.rows.length > 0 ? 'other-browser' : 'unknown';
  }

  /** Records a nonce; false when it was seen before (a replay). */
  async recordNonce(platformId: string, nonce: string, keepSeconds: number): Promise<boolean> {
    const res = await this.db.query(
      `INSERT INTO lti_nonce (platform_id, nonce, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3::int))
       ON CONFLICT DO NOTHING`, [platformId, nonce, keepSeconds]);
    return (res.rowCount ?? 0) === 1;
  }

  async createSession(s: { id: string; launch: LaunchContext; ttlMinutes: number }): Promise<void> {
    const l = s.launch;
    await this.db.query(
      `INSERT INTO lti_session (id, platform_id, deployment_id, sub, context_id, resource_link_id, message_type, launch, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(mins => $9::int))`,
      [s.id, l.platform.id, l.deploymentId, l.user.sub, l.context?.id ?? null, l.resourceLink?.id ?? null, l.messageType, JSON.stringify(l), s.ttlMinutes],
    );
  }

  async getSession(id: string): Promise<{ launch: LaunchContext; expiresAt: Date } | null> {
    const res = await this.db.query<{ launch: LaunchContext; expires_at: Date }>(
      'SELECT launch, expires_at FROM lti_session WHERE id = $1 AND expires_at > now()', [id]);
    const r = res.rows[0];
    return r ? { launch: r.launch, expiresAt: r.expires_at } : null;
  }

  async extendSession(id: string, ttlMinutes: number): Promise<void> {
    await this.db.query('UPDATE lti_session SET expires_at = now() + make_interval(mins => $2::int) WHERE id = $1', [id, ttlMinutes]);
  }

  async sweep(): Promise<void> {
    await this.db.query('DELETE FROM lti_login_state WHERE expires_at <= now()');
    await this.db.query('DELETE FROM lti_nonce WHERE expires_at <= now()');
    await this.db.query('DELETE FROM lti_session WHERE expires_at <= now()');
  }
}
