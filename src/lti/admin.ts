/**
 * The platform registry alone, for administration without the HTTP server (the CLI): no router and no timers
 * beyond the storage sweeper that close() stops. `secret` must be the server's: ltijs's tool keys are encrypted
 * with it, and a key written under another secret can neither sign a service call nor be published in /lti/keys.
 */
import { ConfigError } from '../config';
import type { Db } from '../db';
import { PlatformRegistry } from './platforms';
import { createLtiCore } from './provider';
import { LtiStore } from './store';
import type { ToolKeyBits } from './tool-keys';

export async function createPlatformAdmin(options: { db: Db; secret: string; toolKeyBits?: ToolKeyBits }) {
  const core = await createLtiCore({ db: options.db, secret: options.secret, toolKeyBits: options.toolKeyBits });
  try {
    // The stored tool keys tell whether this is the secret they were encrypted with (oldest first: the server's).
    const stored = (await core.storage.Get(false, 'privatekey')) || [];
    let readable = stored.length === 0;
    for (const row of stored) {
      readable = await core.storage.Get(core.encryptionKey, 'privatekey', { kid: row.kid }).then(() => true, () => false);
      if (readable) break;
    }
    if (!readable) {
      throw new ConfigError('ACCRUE_SECRET: the stored tool keys were encrypted with another secret. Run the CLI with the ACCRUE_SECRET of the Accrue server.');
    }
  } catch (err) {
    await core.storage.Close();
    throw err;
  }
  const registry = new PlatformRegistry(options.db, core, new LtiStore(options.db));
  return {
    registry,
    async close() {
      await core.storage.Close();
    },
  };
}

export type PlatformAdmin = Awaited<ReturnType<typeof createPlatformAdmin>>;
