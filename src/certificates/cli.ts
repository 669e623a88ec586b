/**
 * Administrators' commands: `keys rotate|list|revoke` and `certificate revoke|reissue|show|template-check`.
 * Every change is in the certificate audit trail with the operating-system user as its actor.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliUsageError, type CliCommand, type CliContext } from '../cli/types';
import { resolveSecret } from '../secret';
import { createCertificateCore, sampleContexts } from './index';
import { renderCertificatePdf } from './pdf';
import { loadTemplate, TemplateError } from './template';

function actor(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no user name (a container without passwd entry) */
  }
  return `cli:${user}`;
}

function flag(ctx: CliContext, name: string, options: { required: boolean }): string | undefined {
  const value = ctx.flags[name];
  if (value === true || (value !== undefined && value.trim() === '')) throw new CliUsageError(`--${name} needs a value`);
  if (value === undefined && options.required) throw new CliUsageError(`--${name} is required`);
  return value;
}

function oneArgument(ctx: CliContext, what: string): string {
  if (ctx.args.length !== 1) throw new CliUsageError(ctx.args.length === 0 ? `which ${what}?` : `one ${what} only, got ${ctx.args.length} arguments`);
  return ctx.args[0]!;
}

async function core(ctx: CliContext) {
  const db = await ctx.db();
  return createCertificateCore({ db, config: ctx.config, secret: await resolveSecret(db, ctx.config) });
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '-');

export const CERTIFICATE_COMMANDS: CliCommand[] = [
  {
    group: 'keys', name: 'rotate', usage: 'rotate', summary: 'New credential signing key; older keys retire but stay published',
    async run(ctx) {
      if (ctx.args.length) throw new CliUsageError('keys rotate takes no arguments');
      const { keys } = await core(ctx);
      const kid = await keys.rotate();
      const published = (await keys.list()).filter((k) => !k.revokedAt).length;
      ctx.io.out(`Key ${kid} now signs new credentials (running servers switch within 30 s). Published keys: ${published}.`);
      return 0;
    },
  },
  {
    group: 'keys', name: 'list', usage: 'list', summary: 'Credential signing keys: created, retired, revoked, which one signs',
    async run(ctx) {
      const { keys } = await core(ctx);
      ctx.io.out(['kid'.padEnd(24), 'created'.padEnd(20), 'retired'.padEnd(20), 'revoked'.padEnd(20), 'signs'].join(' '));
      for (const k of await keys.list()) ctx.io.out([k.kid.padEnd(24), day(k.createdAt).padEnd(20), day(k.retiredAt).padEnd(20), day(k.revokedAt).padEnd(20), k.signing ? 'yes' : ''].join(' '));
      return 0;
    },
  },
  {
    group: 'keys', name: 'revoke', usage: 'revoke KID', summary: 'Withdraw a compromised key: no longer published, its credentials stop verifying',
    async run(ctx) {
      const kid = oneArgument(ctx, 'key id (see keys list)');
      const { keys } = await core(ctx);
      const result = await keys.revoke(kid);
      if (!result.revoked) {
        ctx.io.err(`No published key has the id ${kid}.`);
        return 2;
      }
      ctx.io.out(`Key ${kid} is revoked and no longer published.${result.replacement ? ` Key ${result.replacement} now signs.` : ''}`);
      return 0;
    },
  },
  {
    group: 'certificate', name: 'revoke', usage: 'revoke CODE --reason R', summary: 'Revoke a certificate; the reason goes to the audit trail, not the public page',
    async run(ctx) {
      const code = oneArgument(ctx, 'certificate code');
      const reason = flag(ctx, 'reason', { required: true })!;
      const { service } = await core(ctx);
      const done = await service.revoke({ code, reason, actor: actor() });
      ctx.io.out(`Certificate ${done.code} is revoked (${done.revokedAt.toISOString()}).`);
      return 0;
    },
  },
  {
    group: 'certificate', name: 'reissue', usage: 'reissue CODE --reason R [--name "Corrected Name"]', summary: 'Replace a certificate by a new one (new code, same facts)',
    async run(ctx) {
      const code = oneArgument(ctx, 'certificate code');
      const reason = flag(ctx, 'reason', { required: true })!;
      const name = flag(ctx, 'name', { required: false });
      const { service } = await core(ctx);
      const done = await service.reissue({ code, reason, learnerName: name, actor: actor() });
      ctx.io.out(`Certificate ${done.replaced} is replaced by ${done.code}: ${done.verifyUrl}`);
      return 0;
    },
  },
  {
    group: 'certificate', name: 'show', usage: 'show CODE', summary: 'A certificate\'s status and its audit trail',
    async run(ctx) {
      const code = oneArgument(ctx, 'certificate code');
      const { service } = await core(ctx);
      const trail = await service.auditTrail(code);
      const view = (await service.verify(code))!;
      ctx.io.out(`${view.code}: ${view.status}. ${view.learnerName}, ${view.activity.title}, issued ${view.issuedOn}.`);
      for (const a of trail) ctx.io.out(`  ${day(a.at)}  ${a.code}  ${a.action.padEnd(8)} ${a.actor}${a.reason ? `  "${a.reason}"` : ''}`);
      return 0;
    },
  },
  {
    group: 'certificate', name: 'template-check', usage: 'template-check [--template FILE] [--out sample.pdf]', summary: 'Check the certificate template; write a sample PDF',
    async run(ctx) {
      const file = flag(ctx, 'template', { required: false });
      const out = flag(ctx, 'out', { required: false });
      const samples = sampleContexts();
      try {
        const template = loadTemplate({ file: file ? path.resolve(file) : undefined, samples });
        ctx.io.out(`${path.relative(process.cwd(), template.file) || template.file}: the template is valid (sha256 ${template.sha256.slice(0, 12)}).`);
        if (out) {
          const sample = samples[0]!;
          fs.writeFileSync(out, renderCertificatePdf({ markup: template.render(sample), qrText: sample.verifyUrl, info: { title: 'Sample certificate', author: sample.provider.name, subject: 'Sample', createdAt: new Date() } }));
          ctx.io.out(`Sample certificate written to ${out}.`);
        }
        return 0;
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        ctx.io.err(err.message);
        return 2;
      }
    },
  },
];
