/**
 * Administration commands of the LTI feature: platforms (LMS registrations), their deployments, and the manifests
 * an LMS administrator pastes. They work on the database directly, with or without a running server (on embedded
 * PGlite only while no server holds DATA_DIR; on a PostgreSQL server at any time).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConflictError, NotFoundError } from '../errors';
import { resolveSecret } from '../secret';
import { CliUsageError, type CliCommand, type CliContext } from '../cli/types';
import { createPlatformAdmin } from './admin';
import { canvasDeveloperKey, MANIFEST_FILES, moodleToolSettings } from './manifest';
import type { PlatformRecord } from './model';
import type { PlatformRegistry } from './platforms';

const MANIFEST_DIR = path.resolve(__dirname, '..', '..', 'manifest');

/** A fixed-width text table; the last column is not padded. */
export function formatTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Refuses flags the command does not know (a typo such as --client_id must not be silently ignored). */
function checkFlags(ctx: CliContext, allowed: string[]): void {
  const unknown = Object.keys(ctx.flags).filter((f) => !allowed.includes(f));
  if (unknown.length) throw new CliUsageError(`Unknown option${unknown.length > 1 ? 's' : ''}: ${unknown.map((f) => `--${f}`).join(', ')}`);
}

function positional(ctx: CliContext, names: string[]): string[] {
  const missing = names.slice(ctx.args.length);
  if (missing.length) throw new CliUsageError(`Missing ${missing.join(' and ')}.`);
  if (ctx.args.length > names.length) throw new CliUsageError(`Unexpected argument: ${ctx.args.slice(names.length).join(' ')}`);
  return ctx.args;
}

/** A flag's value; `--flag` without a value is a usage error, as is a missing required flag. */
function flagValue(ctx: CliContext, name: string, options: { required: boolean; url?: boolean }): string | undefined {
  const v = ctx.flags[name];
  if (v === undefined) {
    if (options.required) throw new CliUsageError(`Missing --${name}.`);
    return undefined;
  }
  if (v === true || v.trim() === '') throw new CliUsageError(`--${name} needs a value.`);
  if (options.url && !isHttpUrl(v)) throw new CliUsageError(`--${name} must be an http(s) URL (got "${v}").`);
  return v.trim();
}

async function withRegistry(ctx: CliContext, fn: (registry: PlatformRegistry) => Promise<number>): Promise<number> {
  const db = await ctx.db();
  const admin = await createPlatformAdmin({ db, secret: await resolveSecret(db, ctx.config), toolKeyBits: ctx.config.ltiToolKeyBits });
  try {
    return await fn(admin.registry);
  } finally {
    await admin.close();
  }
}

async function findPlatform(registry: PlatformRegistry, id: string): Promise<PlatformRecord> {
  const platform = (await registry.list()).find((p) => p.id === id);
  if (!platform) throw new NotFoundError(`No platform with id ${id}. \`platform list\` shows the ids.`, 'UNKNOWN_PLATFORM');
  return platform;
}

const describe = (p: PlatformRecord) => `${p.id} "${p.name}" (issuer ${p.issuer}, client id ${p.clientId})`;

const ADD_FLAGS = ['issuer', 'client-id', 'name', 'auth-url', 'token-url', 'jwks-url', 'authorization-server', 'deployment', 'inactive'];

const platformAdd: CliCommand = {
  group: 'platform', name: 'add',
  usage: 'add --issuer URL --client-id ID --name NAME --auth-url URL --token-url URL --jwks-url URL [--authorization-server URL] [--deployment ID ...] [--inactive]',
  summary: 'Register an LMS (LTI 1.3 platform) by hand, with its deployments.',
  async run(ctx) {
    checkFlags(ctx, ADD_FLAGS);
    positional(ctx, []);
    const missing = ['issuer', 'client-id', 'name', 'auth-url', 'token-url', 'jwks-url'].filter((f) => ctx.flags[f] === undefined);
    if (missing.length) throw new CliUsageError(`Missing ${missing.map((f) => `--${f}`).join(', ')}.`);
    const issuer = flagValue(ctx, 'issuer', { required: true, url: true })!;
    const clientId = flagValue(ctx, 'client-id', { required: true })!;
    const name = flagValue(ctx, 'name', { required: true })!;
    const authEndpoint = flagValue(ctx, 'auth-url', { required: true, url: true })!;
    const tokenEndpoint = flagValue(ctx, 'token-url', { required: true, url: true })!;
    const jwksUrl = flagValue(ctx, 'jwks-url', { required: true, url: true })!;
    // The audience of the tool's client assertion (LTI Security Framework 4.1); the token URL when absent.
    const authorizationServer = flagValue(ctx, 'authorization-server', { required: false });
    if (ctx.flags.inactive !== undefined && ctx.flags.inactive !== true) throw new CliUsageError('--inactive takes no value.');
    const deploymentIds = ctx.flagList('deployment').map((d) => {
      if (d === true || d.trim() === '') throw new CliUsageError('--deployment needs a value.');
      if (d.length > 255) throw new CliUsageError('A deployment id has at most 255 characters.');
      return d.trim();
    });
    return withRegistry(ctx, async (registry) => {
      let platform: PlatformRecord;
      try {
        platform = await registry.register({
          issuer, clientId, name, authEndpoint, tokenEndpoint, authorizationServer,
          authConfig: { method: 'JWK_SET', key: jwksUrl }, deploymentIds: [...new Set(deploymentIds)], active: ctx.flags.inactive !== true,
        });
      } catch (err) {
        if (err instanceof ConflictError) {
          throw new ConflictError(`A platform with issuer ${issuer} and client id ${clientId} is already registered (\`platform list\`).`, 'PLATFORM_EXISTS');
        }
        throw err;
      }
      ctx.io.out(`Added platform ${describe(platform)}: ${platform.active ? 'active' : 'inactive (activate it with `platform activate ' + platform.id + '`)'}.`);
      const deployments = (await registry.deployments(platform.id)).map((d) => d.deploymentId);
      if (deployments.length) ctx.io.out(`Deployments: ${deployments.join(', ')}`);
      else ctx.io.out(`No deployment yet: launches are refused until you run \`deployment add ${platform.id} <deployment id>\`.`);
      return 0;
    });
  },
};

const platformList: CliCommand = {
  group: 'platform', name: 'list', usage: 'list', summary: 'List registered platforms with their deployments.',
  async run(ctx) {
    checkFlags(ctx, []);
    positional(ctx, []);
    return withRegistry(ctx, async (registry) => {
      const platforms = await registry.list();
      if (platforms.length === 0) {
        ctx.io.out('No platforms registered. Add one with `platform add` or by dynamic registration (/lti/register).');
        return 0;
      }
      const rows: string[][] = [];
      for (const p of platforms) {
        const deployments = (await registry.deployments(p.id)).map((d) => (d.active ? d.deploymentId : `${d.deploymentId} (inactive)`));
        rows.push([p.id, p.name, p.issuer, p.clientId, p.active ? 'yes' : 'no', deployments.join(', ') || '-']);
      }
      for (const line of formatTable(['ID', 'NAME', 'ISSUER', 'CLIENT ID', 'ACTIVE', 'DEPLOYMENTS'], rows)) ctx.io.out(line);
      return 0;
    });
  },
};

function setActive(active: boolean): CliCommand {
  const name = active ? 'activate' : 'deactivate';
  return {
    group: 'platform', name, usage: `${name} PLATFORM_ID`,
    summary: active ? 'Allow launches from a platform.' : 'Refuse launches from a platform (its registration and keys are kept).',
    async run(ctx) {
      checkFlags(ctx, []);
      const [id] = positional(ctx, ['PLATFORM_ID']);
      return withRegistry(ctx, async (registry) => {
        const platform = await findPlatform(registry, id!);
        if (platform.active === active) {
          ctx.io.out(`Platform ${describe(platform)} is already ${active ? 'active' : 'inactive'}.`);
          return 0;
        }
        await registry.setActive(platform.id, active);
        ctx.io.out(`Platform ${describe(platform)} is now ${active ? 'active' : 'inactive: its launches are refused'}.`);
        return 0;
      });
    },
  };
}

const platformRemove: CliCommand = {
  group: 'platform', name: 'remove', usage: 'remove PLATFORM_ID',
  summary: 'Delete a platform, its tool keys, deployments and sessions.',
  async run(ctx) {
    checkFlags(ctx, []);
    const [id] = positional(ctx, ['PLATFORM_ID']);
    return withRegistry(ctx, async (registry) => {
      const platform = await findPlatform(registry, id!);
      const deployments = await registry.deployments(platform.id);
      await registry.remove(platform.id);
      ctx.io.out(`Removed platform ${describe(platform)} and its ${deployments.length} deployment${deployments.length === 1 ? '' : 's'}.`);
      return 0;
    });
  },
};

const deploymentAdd: CliCommand = {
  group: 'deployment', name: 'add', usage: 'add PLATFORM_ID DEPLOYMENT_ID', summary: 'Accept launches from one more deployment of a platform.',
  async run(ctx) {
    checkFlags(ctx, []);
    const [id, deploymentId] = positional(ctx, ['PLATFORM_ID', 'DEPLOYMENT_ID']) as [string, string];
    if (deploymentId.length > 255) throw new CliUsageError('A deployment id has at most 255 characters.');
    return withRegistry(ctx, async (registry) => {
      const platform = await findPlatform(registry, id);
      const existing = (await registry.deployments(platform.id)).find((d) => d.deploymentId === deploymentId);
      await registry.addDeployment(platform.id, deploymentId);
      ctx.io.out(existing?.active
        ? `Deployment ${deploymentId} is already registered for platform ${platform.id}.`
        : `Added deployment ${deploymentId} to platform ${describe(platform)}.`);
      return 0;
    });
  },
};

const deploymentRemove: CliCommand = {
  group: 'deployment', name: 'remove', usage: 'remove PLATFORM_ID DEPLOYMENT_ID', summary: 'Refuse launches from a deployment.',
  async run(ctx) {
    checkFlags(ctx, []);
    const [id, deploymentId] = positional(ctx, ['PLATFORM_ID', 'DEPLOYMENT_ID']) as [string, string];
    return withRegistry(ctx, async (registry) => {
      const platform = await findPlatform(registry, id);
      if (!(await registry.removeDeployment(platform.id, deploymentId))) {
        throw new NotFoundError(`Platform ${platform.id} has no deployment ${deploymentId}. \`deployment list ${platform.id}\` shows them.`, 'UNKNOWN_DEPLOYMENT');
      }
      ctx.io.out(`Removed deployment ${deploymentId} from platform ${describe(platform)}.`);
      return 0;
    });
  },
};

const deploymentList: CliCommand = {
  group: 'deployment', name: 'list', usage: 'list PLATFORM_ID', summary: 'List the deployments of a platform.',
  async run(ctx) {
    checkFlags(ctx, []);
    const [id] = positional(ctx, ['PLATFORM_ID']);
    return withRegistry(ctx, async (registry) => {
      const platform = await findPlatform(registry, id!);
      const deployments = await registry.deployments(platform.id);
      if (deployments.length === 0) {
        ctx.io.out(`Platform ${platform.id} has no deployments: its launches are refused until one is added.`);
        return 0;
      }
      for (const line of formatTable(['DEPLOYMENT ID', 'ACTIVE'], deployments.map((d) => [d.deploymentId, d.active ? 'yes' : 'no']))) ctx.io.out(line);
      return 0;
    });
  },
};

const manifestWrite: CliCommand = {
  group: 'manifest', name: 'write', usage: 'write [--public-url URL] [--out DIR]',
  summary: 'Write the Canvas developer-key JSON and the Moodle tool settings for a public URL (default PUBLIC_URL).',
  async run(ctx) {
    checkFlags(ctx, ['public-url', 'out']);
    positional(ctx, []);
    const publicUrl = (flagValue(ctx, 'public-url', { required: false, url: true }) ?? ctx.config.publicUrl).replace(/\/+$/, '');
    const out = path.resolve(flagValue(ctx, 'out', { required: false }) ?? MANIFEST_DIR);
    const tool = { publicUrl, name: ctx.config.toolName, description: ctx.config.toolDescription };
    fs.mkdirSync(out, { recursive: true });
    const canvas = path.join(out, MANIFEST_FILES.canvas);
    const moodle = path.join(out, MANIFEST_FILES.moodle);
    fs.writeFileSync(canvas, JSON.stringify(canvasDeveloperKey(tool), null, 2) + '\n');
    fs.writeFileSync(moodle, moodleToolSettings(tool));
    ctx.io.out(`Wrote ${canvas}`);
    ctx.io.out(`Wrote ${moodle}`);
    if (!publicUrl.startsWith('https://')) ctx.io.out(`Note: ${publicUrl} is not https; Canvas and Moodle in production need an https public URL.`);
    return 0;
  },
};

export const LTI_COMMANDS: CliCommand[] = [
  platformAdd, platformList, setActive(true), setActive(false), platformRemove,
  deploymentAdd, deploymentRemove, deploymentList, manifestWrite,
];
