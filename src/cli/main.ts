/**
 * The administrator's CLI: `npm run accrue -- <group> <command> [arguments] [--flag value ...]`.
 * Exit codes: 0 done, 1 failed, 2 invalid input or usage.
 */
import { ConfigError, loadConfig } from '../config';
import { openDatabase, type Db } from '../db';
import { AppError } from '../errors';
import { COMMANDS, commands } from './commands';
import { CliUsageError, type CliContext, type CliIo } from './types';

/** `flags` keeps the last value of each flag; `lists` keeps every value of a repeated flag, in order. */
export function parseArgs(argv: string[]): { positional: string[]; flags: Record<string, string | true>; lists: Record<string, (string | true)[]> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  const lists: Record<string, (string | true)[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (inline !== undefined) flags[k] = inline;
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) flags[k] = argv[++i]!;
      else flags[k] = true;
      (lists[k] ??= []).push(flags[k]!);
    } else positional.push(a);
  }
  return { positional, flags, lists };
}

function usage(io: CliIo): void {
  io.out('Usage: npm run accrue -- <group> <command> [arguments] [--flag value]');
  io.out('');
  for (const c of COMMANDS) io.out(`  ${`${c.group} ${c.usage}`.padEnd(64)} ${c.summary}`);
}

export async function runCli(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { positional, flags, lists } = parseArgs(argv);
  const [group, name, ...args] = positional;
  if (!group || flags.help === true) {
    usage(io);
    return group ? 0 : 2;
  }
  const cmd = commands(group).find((c) => c.name === name);
  if (!cmd) {
    io.err(`Unknown command: ${[group, name].filter(Boolean).join(' ')}`);
    usage(io);
    return 2;
  }
  let db: Db | undefined;
  try {
    const config = loadConfig({ env });
    const ctx: CliContext = {
      config, io, args, flags,
      flagList: (name) => lists[name] ?? [],
      async db() {
        db ??= await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
        return db;
      },
    };
    return await cmd.run(ctx);
  } catch (err) {
    if (err instanceof CliUsageError) {
      io.err(`${err.message}\nUsage: npm run accrue -- ${cmd.group} ${cmd.usage}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof AppError) {
      io.err(err.message);
      return err instanceof AppError && err.httpStatus < 500 ? 2 : 1;
    }
    io.err(`Failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await db?.close().catch(() => undefined);
  }
}

if (require.main === module) {
  const io: CliIo = { stdin: process.stdin, out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') };
  runCli(process.argv.slice(2), io).then((code) => process.exit(code), () => process.exit(1));
}
