/**
 * One export in its own process, for bench/exports.ts: `tsx bench/export-child.ts <transcript|pars> <out file>`,
 * DATABASE_URL set. Prints one JSON line: wall time of the export and the process's peak RSS (VmHWM).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db';
import { createExporter } from '../src/reports';
import { fileSink } from '../src/reports/sink';
import { resolveSecret } from '../src/secret';

async function main() {
  const [kind, out] = process.argv.slice(2);
  if (kind === 'idle') {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    process.stdout.write(`${JSON.stringify({ peakRssMb: Number(hwm) / 1024 })}\n`);
    return;
  }
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  const exporter = createExporter({ db, config, secret: await resolveSecret(db, config) });
  const file = fileSink(out!);
  const requester = { id: 'cli:bench', name: null };
  const started = process.hrtime.bigint();
  const result = kind === 'pars'
    ? await exporter.submission({ id: crypto.randomUUID(), target: 'PARS_LEARNER', filter: { scope: { kind: 'provider' }, includeReported: false }, requester, sink: file.sink })
    : await exporter.transcriptCsv({ id: crypto.randomUUID(), kind: 'transcript_activity', filter: { scope: { kind: 'provider' }, activityId: process.env.BENCH_ACTIVITY }, requester, sink: file.sink });
  await file.finish();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await db.close();
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
  process.stdout.write(`${JSON.stringify({ kind, ms, rows: result.rowCount, bytes: result.bytes, peakRssMb: Number(hwm ?? process.resourceUsage().maxRSS) / 1024 })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
