/** SQL for LRS credentials (Basic-auth key/secret pairs with scopes; the secret is stored only as a hash). */
import type { Db } from '../db';

export interface CredentialRow {
  key: string;
  name: string;
  secretHash: string;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

const COLS = `key, name, secret_hash AS "secretHash", scopes, created_at AS "createdAt", revoked_at AS "revokedAt"`;

export class CredentialStore {
  constructor(private readonly db: Db) {}

  async insert(row: { key: string; name: string; secretHash: string; scopes: string[] }): Promise<CredentialRow> {
    const { rows } = await this.db.query<CredentialRow>(
      `INSERT INTO lrs_credential (key, name, secret_hash, scopes) VALUES ($1, $2, $3, $4) RETURNING ${COLS}`,
      [row.key, row.name, row.secretHash, row.scopes],
    );
    return rows[0]!;
  }

  async find(key: string): Promise<CredentialRow | undefined> {
    const { rows } = await this.db.query<CredentialRow>(`SELECT ${COLS} FROM lrs_credential WHERE key = $1`, [key]);
    return rows[0];
  }

  /** Whether the credential still stands as it was verified: present, not revoked, same secret hash (a primary-key read). */
  async isLive(key: string, secretHash: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM lrs_credential WHERE key = $1 AND revoked_at IS NULL AND secret_hash = $2', [key, secretHash]);
    return rows.length > 0;
  }

  async list(): Promise<CredentialRow[]> {
    const { rows } = await this.db.query<CredentialRow>(`SELECT ${COLS} FROM lrs_credential ORDER BY created_at, key`);
    return rows;
  }

  async revoke(key: string): Promise<boolean> {
    const { rowCount } = await this.db.query(`UPDATE lrs_credential SET revoked_at = now() WHERE key = $1 AND revoked_at IS NULL`, [key]);
    return (rowCount ?? 0) > 0;
  }
}
