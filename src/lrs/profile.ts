/**
 * Accrue's xAPI Profile (ADL xAPI Profiles 1.0, JSON-LD): manifest/xapi-profile.jsonld, written with the
 * placeholder base https://accrue.example.org, which stands for a deployment's PUBLIC_URL: the custom verbs,
 * activity types and extensions Accrue emits are minted under it (see src/learning/statements.ts).
 */
import fs from 'node:fs';
import path from 'node:path';

export const PROFILE_FILE = path.resolve(__dirname, '..', '..', 'manifest', 'xapi-profile.jsonld');
export const PROFILE_PLACEHOLDER = 'https://accrue.example.org';

/** The profile with its IRIs under `publicUrl` (no trailing slash). */
export function renderProfile(publicUrl: string): Record<string, unknown> {
  const text = fs.readFileSync(PROFILE_FILE, 'utf8');
  return JSON.parse(text.split(PROFILE_PLACEHOLDER).join(publicUrl.replace(/\/+$/, ''))) as Record<string, unknown>;
}
