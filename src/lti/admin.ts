/**
 * The platform registry alone, for administration without the HTTP server (the CLI): no router and no timers
 * beyond the storage sweeper that close() stops. `secret` must be the server's: ltijs's tool keys are encrypted
 * with it, and a registration made under another secret could not sign a service call.
 */
import type { Db } from '../db';
import { PlatformRegistry } from './platforms';
import { createLtiCore } from './provider';
import { LtiStore } from './store';

export async function createPlatformAdmin(options: { db: Db; secret: string }) {
  const core = await createLtiCore({ db: options.db, secret: options.secret });
  const registry = new PlatformRegistry(options.db, core, new LtiStore(options.db));
  return {
    registry,
    async close() {
      await core.storage.Close();
    },
  };
}

export type PlatformAdmin = Awaited<ReturnType<typeof createPlatformAdmin>>;
