/** A CLI command: `npm run accrue -- <group> <name> [args] [--flag value]`. */
import type { Config } from '../config';
import type { Db } from '../db';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  out(line: string): void;
  err(line: string): void;
}

export interface CliContext {
  config: Config;
  io: CliIo;
  /** Opens the database on first use (embedded PGlite refuses while a server holds DATA_DIR, and says so). */
  db(): Promise<Db>;
  args: string[];
  flags: Record<string, string | true>;
  /** Every value of a flag given several times (`--deployment a --deployment b`), in order; `flags` keeps the last. */
  flagList(name: string): (string | true)[];
}

export interface CliCommand {
  group: string;
  name: string;
  usage: string;
  summary: string;
  /** Resolves to the exit code: 0 done, 2 invalid input, 1 failure. */
  run(ctx: CliContext): Promise<number>;
}

export class CliUsageError extends Error {}
