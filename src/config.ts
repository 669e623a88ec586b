/**
 * Configuration: the only reader of process.env.
 * Layers, later wins: config/default.json, config/<env>.json (env = NODE_ENV), environment variables,
 * then explicit overrides (tests). Every key has a doc line and an environment variable; a bad value
 * stops the start with a message naming the variable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

type KeyDoc = { env: string; doc: string };

/** One line of documentation and the environment variable of each key (the README table is built from this). */
export const CONFIG_DOCS: Record<keyof Config, KeyDoc> = {
  port: { env: 'PORT', doc: 'TCP port to listen on (0 = any free port).' },
  publicUrl: { env: 'PUBLIC_URL', doc: 'Public base URL of Accrue as platforms reach it; default http://localhost:PORT.' },
  dataDir: { env: 'DATA_DIR', doc: 'Folder of the embedded PostgreSQL (PGlite) database, used when DATABASE_URL is unset.' },
  databaseUrl: { env: 'DATABASE_URL', doc: 'PostgreSQL server connection string; empty = embedded PGlite under DATA_DIR.' },
  dbPoolSize: { env: 'DB_POOL_SIZE', doc: 'Connections in the pool to a PostgreSQL server (embedded PGlite always uses 1).' },
  env: { env: 'NODE_ENV', doc: 'development, test or production; production turns off the sandbox and requires SECRET and PUBLIC_URL.' },
  logLevel: { env: 'LOG_LEVEL', doc: 'debug, info, warn, error or silent. Logs are JSON lines with secrets and personal data redacted.' },
  secret: { env: 'ACCRUE_SECRET', doc: 'Key that signs sessions and encrypts stored keys (>= 32 chars). Outside production a random one is kept in the database.' },
  sandbox: { env: 'SANDBOX', doc: 'Serve the built-in sandbox LMS at / and /sandbox (never in production).' },
  autoActivatePlatforms: { env: 'AUTO_ACTIVATE_PLATFORMS', doc: 'Platforms added by dynamic registration are active at once (never in production).' },
  clockSkewSeconds: { env: 'CLOCK_SKEW_SECONDS', doc: 'Tolerated clock difference for iat/exp/nbf of id_tokens.' },
  idTokenMaxAgeSeconds: { env: 'ID_TOKEN_MAX_AGE_SECONDS', doc: 'Oldest accepted id_token, by its iat.' },
  stateTtlSeconds: { env: 'STATE_TTL_SECONDS', doc: 'How long a login initiation (state + nonce) waits for its id_token.' },
  sessionTtlMinutes: { env: 'SESSION_TTL_MINUTES', doc: 'Lifetime of a launch session token; renewed while the learner works.' },
  platformCacheSeconds: { env: 'PLATFORM_CACHE_SECONDS', doc: 'How long one process trusts its cached platform/deployment lookups on the launch path; changes made by another process (a CLI, another instance) show within this time. 0 = no cache.' },
  maxIdTokenBytes: { env: 'MAX_ID_TOKEN_BYTES', doc: 'Largest id_token accepted at /lti/launch; larger ones are refused with 413.' },
  corsOrigins: { env: 'CORS_ORIGINS', doc: 'Comma-separated origins allowed to call Accrue with CORS (never reflected from the request).' },
  frameAncestors: { env: 'FRAME_ANCESTORS', doc: 'Extra origins allowed to frame Accrue; registered platforms are always allowed.' },
  toolName: { env: 'TOOL_NAME', doc: 'Tool name shown to platforms in registration.' },
  toolDescription: { env: 'TOOL_DESCRIPTION', doc: 'Tool description shown to platforms in registration.' },
  lrsMaxBodyBytes: { env: 'LRS_MAX_BODY_BYTES', doc: 'Largest request body the xAPI LRS at /xapi accepts (statements with attachments, documents); larger ones get 413.' },
  lrsForwardTargets: { env: 'LRS_FORWARD_TARGETS', doc: 'External LRSs every stored statement is forwarded to, as a JSON list of {name, endpoint, key, secret, version ("2.0.0" or "1.0.3")}; [] = none.' },
  lrsForwardWorker: { env: 'LRS_FORWARD_WORKER', doc: 'Run the worker that forwards statements to LRS_FORWARD_TARGETS in this process; any number of processes may share the outbox.' },
  lrsForwardPollMs: { env: 'LRS_FORWARD_POLL_MS', doc: 'How often an idle forwarding worker looks for statements to forward, in milliseconds.' },
  lrsForwardConcurrency: { env: 'LRS_FORWARD_CONCURRENCY', doc: 'Statements one forwarding worker sends at the same time.' },
  lrsForwardHttpTimeoutMs: { env: 'LRS_FORWARD_HTTP_TIMEOUT_MS', doc: 'Limit of every HTTP call to an external LRS, in milliseconds.' },
  lrsForwardBackoffBaseSeconds: { env: 'LRS_FORWARD_BACKOFF_BASE_SECONDS', doc: 'First retry delay after a failed forward; doubled each attempt, with jitter.' },
  lrsForwardBackoffMaxSeconds: { env: 'LRS_FORWARD_BACKOFF_MAX_SECONDS', doc: 'Longest delay between two attempts to forward a statement (or to probe a failing LRS).' },
  lrsLaunchTtlSeconds: { env: 'LRS_LAUNCH_TTL_SECONDS', doc: 'Lifetime of the xAPI credential handed to external content each time a learner opens its content page (one learner, one activity).' },
  lrsLaunchActorName: { env: 'LRS_LAUNCH_ACTOR_NAME', doc: 'Put the learner\'s name in the actor of the launch link given to external content; false = the LMS account only (which identifies the learner). Accrue\'s own statements keep the name.' },
  nabpEprofilePattern: { env: 'NABP_EPROFILE_PATTERN', doc: 'Regular expression a pharmacist\'s NABP e-Profile ID must match (its format is unconfirmed: adjust without a release).' },
  heartbeatSeconds: { env: 'HEARTBEAT_SECONDS', doc: 'How often a visible learner page reports time on task.' },
  heartbeatCapSeconds: { env: 'HEARTBEAT_CAP_SECONDS', doc: 'Most time on task one heartbeat may add (never more than the wall-clock since the previous one).' },
  passbackWorker: { env: 'PASSBACK_WORKER', doc: 'Run the worker that delivers scores to the LMS (AGS) in this process; any number of processes may share the outbox.' },
  passbackPollMs: { env: 'PASSBACK_POLL_MS', doc: 'How often an idle passback worker looks for due scores, in milliseconds.' },
  passbackConcurrency: { env: 'PASSBACK_CONCURRENCY', doc: 'Scores one worker delivers at the same time.' },
  passbackHttpTimeoutMs: { env: 'PASSBACK_HTTP_TIMEOUT_MS', doc: 'Limit of every HTTP call to an LMS (token, line items, score), in milliseconds.' },
  passbackLeaseSeconds: { env: 'PASSBACK_LEASE_SECONDS', doc: 'Lease of a score being delivered; a worker that dies is taken over after it (raised to cover 4 HTTP timeouts).' },
  passbackBackoffBaseSeconds: { env: 'PASSBACK_BACKOFF_BASE_SECONDS', doc: 'First retry delay of a failed score; doubled each attempt, with jitter.' },
  passbackBackoffMaxSeconds: { env: 'PASSBACK_BACKOFF_MAX_SECONDS', doc: 'Longest delay between two attempts of one score.' },
  passbackMaxAgeHours: { env: 'PASSBACK_MAX_AGE_HOURS', doc: 'A score still failing after this many hours is marked failed (kept, re-deliverable by hand).' },
  passbackCircuitThreshold: { env: 'PASSBACK_CIRCUIT_THRESHOLD', doc: 'Consecutive failures after which a platform gets only one probe at a time.' },
  passbackProbeSeconds: { env: 'PASSBACK_PROBE_SECONDS', doc: 'Interval of the probes to a failing platform; a successful probe makes its waiting scores due at once.' },
  providerAdmins: { env: 'PROVIDER_ADMINS', doc: 'Comma-separated provider-wide report administrators: `<platform issuer>|<sub>` of a user, or an LTI role URI; they see every course\'s reports.' },
  providerName: { env: 'PROVIDER_NAME', doc: 'The accredited provider\'s name printed on transcripts.' },
  exportLayoutDir: { env: 'EXPORT_LAYOUT_DIR', doc: 'Folder of the PARS and CPE Monitor column layouts (pars-learner.json, cpe-monitor.json; unconfirmed, see docs/exports.md).' },
  rosterHttpTimeoutMs: { env: 'ROSTER_HTTP_TIMEOUT_MS', doc: 'Limit of every HTTP call to an LMS for its course roster (NRPS), in milliseconds.' },
  issuerUrl: { env: 'ISSUER_URL', doc: 'Home page of the issuing provider, shown in its public issuer profile (/issuer) and its credentials; empty = none.' },
  providerUrl: { env: 'PROVIDER_URL', doc: 'The provider\'s web address printed on certificates (ANCC requires an address or web address on them); empty = ISSUER_URL, else PUBLIC_URL.' },
  ltiToolKeyBits: { env: 'LTI_TOOL_KEY_BITS', doc: 'RSA size of the tool key made for each new platform registration: 2048 (the RS256 minimum), 3072 or 4096; made off the event loop.' },
  registrationRateLimit: { env: 'REGISTRATION_RATE_LIMIT', doc: 'Dynamic registrations (/lti/register requests) one client address may start per REGISTRATION_RATE_WINDOW_SECONDS (IPv6 by /64; counted per process); more get 429 with Retry-After.' },
  registrationRateWindowSeconds: { env: 'REGISTRATION_RATE_WINDOW_SECONDS', doc: 'Window of REGISTRATION_RATE_LIMIT, in seconds.' },
  registrationEndpointHosts: { env: 'REGISTRATION_ENDPOINT_HOSTS', doc: 'Comma-separated hosts, besides the platform issuer\'s own, where a platform\'s registration_endpoint may be (https only); others are refused.' },
  lrsAuthFailureLimit: { env: 'LRS_AUTH_FAILURE_LIMIT', doc: 'Failed LRS Basic logins allowed per credential key and client address per LRS_AUTH_FAILURE_WINDOW_SECONDS; then 429 with Retry-After, known key or not.' },
  lrsAuthIpFailureLimit: { env: 'LRS_AUTH_IP_FAILURE_LIMIT', doc: 'Failed LRS Basic logins allowed per client address, over all keys, per LRS_AUTH_FAILURE_WINDOW_SECONDS (each costs a scrypt hash).' },
  lrsAuthFailureWindowSeconds: { env: 'LRS_AUTH_FAILURE_WINDOW_SECONDS', doc: 'Window of the LRS login failure limits, in seconds.' },
  lrsCredentialCacheSeconds: { env: 'LRS_CREDENTIAL_CACHE_SECONDS', doc: 'How long a process trusts a verified LRS credential before re-reading its revocation (one indexed lookup, no hash): a revocation elsewhere shows within this time. 0 = check every request.' },
  providerJointlyAccredited: { env: 'PROVIDER_JOINTLY_ACCREDITED', doc: 'The provider is jointly accredited (ACCME + ACPE + ANCC): every certificate must carry its Joint Accreditation statement, and an activity without one cannot be published.' },
};

const list = z.union([z.array(z.string()), z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))]);
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((s) => s === 'true' || s === '1')]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** An external LRS statements are forwarded to (LRS_FORWARD_TARGETS is the JSON text of a list of these). */
const forwardTarget = z.strictObject({
  name: z.string().regex(/^[\w.-]{1,64}$/, 'name: 1-64 letters, digits, ".", "_" or "-"'),
  endpoint: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/*$/, '/')),
  key: z.string().min(1),
  secret: z.string().min(1),
  version: z.enum(['2.0.0', '1.0.3']).default('2.0.0'),
});
const forwardTargets = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v; // reported by the schema below as "expected array"
  }
}, z.array(forwardTarget).refine((list) => new Set(list.map((t) => t.name)).size === list.length, 'target names must be unique'));

const schema = z.object({
  port: int(0, 65535),
  publicUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
  dataDir: z.string().min(1),
  databaseUrl: z.union([z.literal(''), z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres://')]),
  dbPoolSize: int(1, 200),
  env: z.enum(['development', 'test', 'production']),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']),
  secret: z.union([z.literal(''), z.string().min(32, 'must be at least 32 characters')]),
  sandbox: bool,
  autoActivatePlatforms: bool,
  clockSkewSeconds: int(0, 600),
  idTokenMaxAgeSeconds: int(5, 86400),
  stateTtlSeconds: int(10, 3600),
  sessionTtlMinutes: int(1, 24 * 60),
  platformCacheSeconds: int(0, 300),
  maxIdTokenBytes: int(1024, 1024 * 1024),
  corsOrigins: list,
  frameAncestors: list,
  toolName: z.string().min(1),
  toolDescription: z.string(),
  lrsMaxBodyBytes: int(1024, 1024 * 1024 * 1024),
  lrsForwardTargets: forwardTargets,
  lrsForwardWorker: bool,
  lrsForwardPollMs: int(20, 600_000),
  lrsForwardConcurrency: int(1, 256),
  lrsForwardHttpTimeoutMs: int(100, 300_000),
  lrsForwardBackoffBaseSeconds: z.coerce.number().min(0.01).max(86_400),
  lrsForwardBackoffMaxSeconds: z.coerce.number().min(0.01).max(7 * 86_400),
  lrsLaunchTtlSeconds: int(1, 86_400),
  lrsLaunchActorName: bool,
  nabpEprofilePattern: z.string().min(1).refine((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid regular expression'),
  heartbeatSeconds: int(5, 600),
  heartbeatCapSeconds: int(5, 3600),
  passbackWorker: bool,
  passbackPollMs: int(50, 600_000),
  passbackConcurrency: int(1, 256),
  passbackHttpTimeoutMs: int(100, 300_000),
  passbackLeaseSeconds: int(5, 86_400),
  passbackBackoffBaseSeconds: int(1, 86_400),
  passbackBackoffMaxSeconds: int(1, 7 * 86_400),
  passbackMaxAgeHours: int(1, 90 * 24),
  passbackCircuitThreshold: int(1, 10_000),
  passbackProbeSeconds: int(1, 86_400),
  providerAdmins: list,
  providerName: z.string().min(1),
  exportLayoutDir: z.string().min(1),
  rosterHttpTimeoutMs: int(100, 120_000),
  issuerUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
  providerUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
  ltiToolKeyBits: z.coerce.number().pipe(z.union([z.literal(2048), z.literal(3072), z.literal(4096)])),
  registrationRateLimit: int(1, 100_000),
  registrationRateWindowSeconds: int(1, 7 * 86_400),
  registrationEndpointHosts: list.pipe(z.array(z.string().regex(/^[a-z0-9.-]+$/i, 'host names only (no scheme, port or path)').transform((h) => h.toLowerCase()))),
  lrsAuthFailureLimit: int(1, 100_000),
  lrsAuthIpFailureLimit: int(1, 1_000_000),
  lrsAuthFailureWindowSeconds: int(1, 86_400),
  lrsCredentialCacheSeconds: int(0, 300),
  providerJointlyAccredited: bool,
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

const CONFIG_DIR = path.resolve(__dirname, '..', 'config');

function readJson(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Builds the configuration; throws ConfigError with every problem listed, by environment variable. */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; overrides?: Partial<Config> } = {}): Config {
  const env = options.env ?? process.env;
  const envName = env.NODE_ENV && ['development', 'test', 'production'].includes(env.NODE_ENV) ? env.NODE_ENV : 'development';
  const merged: Record<string, unknown> = { ...readJson(path.join(CONFIG_DIR, 'default.json')), ...readJson(path.join(CONFIG_DIR, `${envName}.json`)) };
  merged.env = envName;
  for (const [key, docs] of Object.entries(CONFIG_DOCS)) {
    const value = env[docs.env];
    if (value !== undefined && value !== '' && key !== 'env') merged[key] = value;
  }
  Object.assign(merged, options.overrides ?? {});
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0]) as keyof Config;
      return `  ${CONFIG_DOCS[key]?.env ?? key}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  if (config.env === 'production') {
    const problems: string[] = [];
    if (!config.secret) problems.push('  ACCRUE_SECRET: required in production');
    if (!config.publicUrl.startsWith('https://')) problems.push('  PUBLIC_URL: required in production, and must be https://');
    if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
    config.sandbox = false;
    config.autoActivatePlatforms = false;
  }
  if (!config.publicUrl) config.publicUrl = `http://localhost:${config.port}`;
  config.publicUrl = config.publicUrl.replace(/\/+$/, '');
  config.dataDir = path.resolve(config.dataDir);
  // Relative to the project folder (where config/ is), not to wherever the process was started.
  config.exportLayoutDir = path.resolve(CONFIG_DIR, '..', config.exportLayoutDir);
  return config;
}
