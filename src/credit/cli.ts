/**
 * `credit compute`: one JSON scenario on stdin, one JSON result on stdout. Needs no database, so it never opens
 * one: an office can try a scenario while Accrue runs on its embedded database.
 */
import type { CliCommand, CliContext } from '../cli/types';
import { CliUsageError } from '../cli/types';
import { evaluateScenario } from './index';

/** A scenario is a few hundred bytes; a megabyte means the wrong file was piped. */
const MAX_STDIN_BYTES = 1024 * 1024;

const EXAMPLE = `echo '{"activity":{"format":"live","designations":[{"type":"AMA_PRA_1","max":1}]},"learner":{"profession":"physician"},"attestedMinutes":60}' | npm run -s accrue -- credit compute`;

class InvalidScenario extends Error {}

async function readStdin(ctx: CliContext): Promise<string> {
  const stdin = ctx.io.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  if (stdin.isTTY) throw new InvalidScenario(`no scenario on stdin; pipe one JSON scenario, e.g.\n  ${EXAMPLE}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new InvalidScenario(`stdin is larger than ${MAX_STDIN_BYTES} bytes; pipe one JSON scenario`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw new InvalidScenario(`stdin is empty; pipe one JSON scenario, e.g.\n  ${EXAMPLE}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidScenario(`stdin is not valid JSON (${(err as Error).message})`);
  }
}

async function compute(ctx: CliContext): Promise<number> {
  if (ctx.args.length > 0) throw new CliUsageError(`unexpected argument "${ctx.args[0]}": the scenario is read from stdin`);
  try {
    const evaluation = evaluateScenario(parseJson(await readStdin(ctx)));
    if (!evaluation.ok) {
      const [first, ...more] = evaluation.errors;
      throw new InvalidScenario(more.length === 0 ? first! : `${evaluation.errors.length} problems${evaluation.errors.map((e) => `\n  ${e}`).join('')}`);
    }
    ctx.io.out(JSON.stringify(evaluation.result));
    return 0;
  } catch (err) {
    if (!(err instanceof InvalidScenario)) throw err;
    ctx.io.err(`Invalid scenario: ${err.message}`);
    return 2;
  }
}

export const CREDIT_COMMANDS: CliCommand[] = [
  {
    group: 'credit',
    name: 'compute',
    usage: 'compute < scenario.json',
    summary: 'Compute one learner\'s credit for one activity: JSON scenario on stdin, JSON result on stdout',
    run: compute,
  },
];
