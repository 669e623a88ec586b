/**
 * The embedded xAPI LRS (xAPI 1.0.3 and 2.0.0 / IEEE 9274.1.1 from one store), mounted at /xapi.
 *
 * Services other features use:
 * - `statements.store(statements, { authority?, family? })`: validates and stores statements as Accrue itself
 *   (authority defaults to Accrue's own Agent); returns their ids. Throws ValidationError (400) for an invalid
 *   statement, ConflictError (409) for a different statement with a stored id.
 * - `statements.get(id, { voided })`, `statements.query(filter)`: reads (see StatementFilter).
 * - `credentials.add({ key?, secret?, scopes, name })` -> the credential with its secret (shown only then);
 *   `credentials.list()`; `credentials.revoke(key)` -> whether a live credential was revoked.
 *   `lrsCredentials({ db, config })` gives the same service without building the LRS (for the CLI).
 * - `launchCredentials.issue({ actor, activityId, registration, ttlSeconds, contentUrl })` -> the xAPI launch parameters for
 *   content Accrue launches (launch/); `cors` lets that content's origin call /xapi while its credential lives.
 * - `forward`: the outbox to external LRSs (forward/): `start({ worker })`, `status()`, `close()`.
 *
 * Glossary: Statement = one xAPI record; Authority = who vouches for a statement (here: the credential, as an
 * Agent with account {homePage: PUBLIC_URL, name: key}); Document = a State / Activity Profile / Agent Profile
 * stored for a client; Family = the version rules a request is served under (1.0 or 2.0).
 */
import type express from 'express';
import type { Config } from '../config';
import type { Db } from '../db';
import type { Logger } from '../log';
import { CredentialService } from './credentials';
import { DocumentService } from './documents';
import { createForwarding } from './forward';
import { createLaunchCredentials } from './launch';
import { launchCors } from './launch/cors';
import { lrsRouter } from './routes';
import { StatementService } from './statements';
import { StatementStore } from './store';
import { StatementQueries } from './store-query';
import { CredentialStore } from './store-credentials';
import { DocumentStore } from './store-documents';

export type { Credential, CredentialInfo, CredentialService, Scope } from './credentials';
export type { IssuedLaunch } from './launch';
export type { TargetStatus } from './forward';
export { SCOPES } from './credentials';
export type { Family, JsonObject } from './model';
export type { StoredRow } from './store';
export type { StatementFilter } from './store-query';
export { SUPPORTED_VERSIONS } from './version';

/** The credential service alone (CLI commands: add, list, revoke), on an open database. */
export function lrsCredentials(options: { db: Db; config: Pick<Config, 'publicUrl'> }): CredentialService {
  return new CredentialService({ store: new CredentialStore(options.db), publicUrl: options.config.publicUrl });
}

/** Where the LRS is mounted; `more` links are built under it. */
export const LRS_BASE = '/xapi';

export function createLrs(options: { db: Db; config: Config; log: Logger }): {
  router: express.Router;
  /** CORS for content holding a live launch credential; mounted at LRS_BASE before the app-wide CORS. */
  cors: express.RequestHandler;
  statements: StatementService;
  documents: DocumentService;
  credentials: CredentialService;
  launchCredentials: ReturnType<typeof createLaunchCredentials>;
  forward: ReturnType<typeof createForwarding>;
  close(): Promise<void>;
} {
  const { db, config } = options;
  const log = options.log.child({ feature: 'lrs' });
  const accrueAuthority = { objectType: 'Agent', name: config.toolName, account: { homePage: config.publicUrl, name: 'accrue' } };
  const statements = new StatementService(db, new StatementStore(db), new StatementQueries(db), accrueAuthority);
  const documents = new DocumentService(new DocumentStore(db));
  const credentials = new CredentialService({
    store: new CredentialStore(db), publicUrl: config.publicUrl, cacheMs: config.lrsCredentialCacheSeconds * 1000,
    throttle: { keyLimit: config.lrsAuthFailureLimit, clientLimit: config.lrsAuthIpFailureLimit, windowMs: config.lrsAuthFailureWindowSeconds * 1000 },
  });
  const launchCredentials = createLaunchCredentials({ db, endpoint: `${config.publicUrl}${LRS_BASE}/`, publicUrl: config.publicUrl });
  credentials.addAuthenticator(launchCredentials.authenticate);
  const forward = createForwarding({ db, config, log, statements });
  const router = lrsRouter({ base: LRS_BASE, maxBodyBytes: config.lrsMaxBodyBytes, statements, documents, credentials, log });
  return { router, cors: launchCors(launchCredentials), statements, documents, credentials, launchCredentials, forward, close: () => forward.close() };
}

export type Lrs = ReturnType<typeof createLrs>;
