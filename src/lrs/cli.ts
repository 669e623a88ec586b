/**
 * CLI of the LRS: `lrs credential add|list|revoke`, `lrs purge`, `lrs erase`, `lrs forward status`.
 * Works while Accrue runs on a PostgreSQL server; on embedded PGlite the database opens only when no Accrue
 * process holds DATA_DIR (ctx.db() refuses with DatabaseUnavailableError, whose message says so).
 */
import os from 'node:os';
import { CliUsageError, type CliCommand, type CliContext } from '../cli/types';
import { createLogger } from '../log';
import { resolveSecret } from '../secret';
import { CredentialService } from './credentials';
import { ForwardStore } from './forward';
import { Retention } from './retention';
import { CredentialStore } from './store-credentials';

const str = (ctx: CliContext, flag: string): string | undefined => {
  const v = ctx.flags[flag];
  if (v === true) throw new CliUsageError(`--${flag} needs a value`);
  return v;
};
const when = (iso: string | null) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : '-');
const ranBy = (ctx: CliContext) => str(ctx, 'by') ?? `${os.userInfo().username}@${os.hostname()}`;

async function credentials(ctx: CliContext) {
  return new CredentialService({ store: new CredentialStore(await ctx.db()), publicUrl: ctx.config.publicUrl });
}

async function retention(ctx: CliContext) {
  const db = await ctx.db();
  // Log lines go to stderr, so stdout stays the command's answer.
  const log = createLogger({ level: ctx.config.logLevel, write: (l) => ctx.io.err(l), base: { feature: 'lrs-retention' } });
  return new Retention({ db, secret: await resolveSecret(db, ctx.config), publicUrl: ctx.config.publicUrl, log });
}

export const LRS_COMMANDS: CliCommand[] = [
  {
    group: 'lrs', name: 'credential', usage: 'credential add --scopes all[,...] [--key K] [--secret S] [--name N] | list | revoke KEY',
    summary: 'Basic-auth credentials of the xAPI LRS at /xapi (a generated secret is shown once)',
    async run(ctx) {
      const [action, ...rest] = ctx.args;
      const service = await credentials(ctx);
      if (action === 'add') {
        const scopes = str(ctx, 'scopes');
        if (!scopes) throw new CliUsageError('--scopes is required, e.g. --scopes all or --scopes statements/write,statements/read/mine');
        const given = str(ctx, 'secret');
        const c = await service.add({ key: str(ctx, 'key'), secret: given, scopes: scopes.split(',').map((s) => s.trim()).filter(Boolean), name: str(ctx, 'name') ?? '' });
        ctx.io.out(`Credential ${c.key} (${c.name}) created with scopes ${c.scopes.join(', ')}.`);
        if (!given) ctx.io.out(`Secret (shown only now): ${c.secret}`);
        return 0;
      }
      if (action === 'list') {
        ctx.io.out(['key'.padEnd(28), 'name'.padEnd(24), 'scopes'.padEnd(40), 'created'.padEnd(21), 'revoked'].join(' '));
        for (const c of await service.list()) {
          ctx.io.out([c.key.padEnd(28), c.name.padEnd(24), c.scopes.join(',').padEnd(40), when(c.createdAt).padEnd(21), when(c.revokedAt)].join(' '));
        }
        return 0;
      }
      if (action === 'revoke') {
        const key = rest[0];
        if (!key) throw new CliUsageError('revoke needs the KEY');
        if (!(await service.revoke(key))) {
          ctx.io.err(`No live credential with key ${key}.`);
          return 1;
        }
        ctx.io.out(`Credential ${key} revoked (running Accrue processes stop accepting it within ${ctx.config.lrsCredentialCacheSeconds} s).`);
        return 0;
      }
      throw new CliUsageError('expected add, list or revoke');
    },
  },
  {
    group: 'lrs', name: 'purge', usage: 'purge --before YYYY-MM-DD [--dry-run] [--by NAME]',
    summary: 'Delete statements stored before a date (UTC), with their index rows and attachments; audited',
    async run(ctx) {
      const before = str(ctx, 'before');
      if (!before) throw new CliUsageError('--before YYYY-MM-DD is required');
      const r = await (await retention(ctx)).purge({ before, dryRun: ctx.flags['dry-run'] === true, ranBy: ranBy(ctx) });
      if (r.dryRun) {
        ctx.io.out(`Dry run: ${r.statements} statement(s) stored before ${r.before} would be deleted, and ${r.voidedTargets} later statement(s) they void. Nothing was deleted.`);
      } else {
        ctx.io.out(`Deleted ${r.statements} statement(s) stored before ${r.before}, ${r.voidedTargets} statement(s) they voided, and ${r.attachments} attachment(s) no longer used.`);
      }
      return 0;
    },
  },
  {
    group: 'lrs', name: 'erase', usage: 'erase --actor \'<Agent JSON>\' [--dry-run] [--by NAME]',
    summary: 'Erase one person: delete statements about them, pseudonymise mentions, delete their documents; audited',
    async run(ctx) {
      const actor = str(ctx, 'actor');
      if (!actor) throw new CliUsageError('--actor \'{"mbox":"mailto:..."}\' is required (an Agent, or a Person listing several identifiers)');
      const r = await (await retention(ctx)).erase({ actor, dryRun: ctx.flags['dry-run'] === true, ranBy: ranBy(ctx) });
      const what = `${r.statements} statement(s) about this person, ${r.voidedTargets} statement(s) they voided, ${r.attachments} attachment(s), `
        + `${r.documents} document(s) and ${r.launchGrants} launch credential(s); ${r.redacted} other statement(s) mentioning them`;
      ctx.io.out(r.dryRun ? `Dry run: would delete ${what} would be pseudonymised. Nothing was changed.` : `Deleted ${what} were pseudonymised.`);
      return 0;
    },
  },
  {
    group: 'lrs', name: 'forward', usage: 'forward status [--json]',
    summary: 'Statements owed to external LRSs (LRS_FORWARD_TARGETS): pending, failing, delivered, last error',
    async run(ctx) {
      if (ctx.args[0] !== 'status') throw new CliUsageError('expected status');
      const list = await new ForwardStore(await ctx.db()).status(ctx.config.lrsForwardTargets.map((t) => t.name));
      if (ctx.flags.json === true) {
        ctx.io.out(JSON.stringify(list, null, 2));
        return 0;
      }
      if (list.length === 0) ctx.io.out('No external LRS has been configured (LRS_FORWARD_TARGETS).');
      for (const t of list) {
        ctx.io.out(`${t.name}${t.configured ? '' : ' (no longer configured)'} ${t.endpoint}: ${t.state}; pending ${t.pending}, failing ${t.failing}, delivered ${t.delivered}`
          + `; oldest waiting ${when(t.oldestPendingAt)}; last delivery ${when(t.lastDeliveredAt)}`
          + (t.pausedUntil ? `; paused until ${when(t.pausedUntil)}` : '')
          + (t.lastError ? `; last error ${when(t.lastErrorAt)}: ${t.lastError}` : ''));
      }
      return 0;
    },
  },
];
