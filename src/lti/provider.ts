/**
 * ltijs, set up on our storage plugin. ltijs exports one Provider instance per process; each Accrue app instance
 * gets its own instance of the same class, so two apps in one process (tests, workers) never share state.
 * We never mount ltijs's own Express app or call deploy(): deploy() exits the process with status 0 on a
 * database error, and its server reflects any CORS origin. Launch and login are ours (oidc.ts); ltijs keeps the
 * platform registry and tool keys, and signs service requests (AGS, NRPS, deep linking).
 */
import ltijs, { type LtijsProvider } from 'ltijs';
import type { Db } from '../db';
import { PostgresLtijsStorage } from './storage';
import type { ToolKeyBits } from './tool-keys';

export interface LtiCore {
  provider: LtijsProvider;
  storage: PostgresLtijsStorage;
  encryptionKey: string;
  /** RSA modulus of the tool key pair made for each new platform registration (tool-keys.ts). */
  toolKeyBits: ToolKeyBits;
}

export async function createLtiCore(options: { db: Db; secret: string; toolKeyBits?: ToolKeyBits }): Promise<LtiCore> {
  const ProviderClass = (ltijs.Provider as unknown as { constructor: new () => LtijsProvider }).constructor;
  const provider = new ProviderClass();
  const storage = new PostgresLtijsStorage(options.db, options.secret);
  provider.setup(options.secret, { plugin: storage }, { cors: false, devMode: false, tokenMaxAge: 10 });
  await storage.setup();
  return { provider, storage, encryptionKey: options.secret, toolKeyBits: options.toolKeyBits ?? 2048 };
}
