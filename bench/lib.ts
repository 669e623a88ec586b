/** Shared pieces of the benchmarks: child-process servers, fresh databases, percentiles. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';

export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Creates (or recreates) a database on the benchmark's PostgreSQL server; returns its URL. */
export async function freshDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * The node command line `npm start` runs Accrue with (package.json "start": heap limits, the TypeScript hook), for
 * a bench server script: the bench measures Accrue as it is deployed.
 */
export function startCommand(script: string): { command: string; args: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [command, ...words] = pkg.scripts.start!.split(/\s+/);
  if (command !== 'node') throw new Error(`package.json "start" does not run node: ${pkg.scripts.start}`);
  return { command: process.execPath, args: [...words.slice(0, -1), script] };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const groups = new Set<number>();
process.on('exit', () => { for (const pid of groups) stopGroup(pid); });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

function stopGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
  groups.delete(pid);
}

/**
 * Stops a child started by startChild with everything it started: `tsx` runs the script in a node grandchild,
 * which a SIGTERM to the wrapper alone would leave running.
 */
export function stopChild(child: ChildProcess): void {
  if (child.pid) stopGroup(child.pid);
}

/** Starts a server script in its own process group and waits for its {"ready":true} line. */
export async function startChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid) groups.add(child.pid);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${err}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"ready":true')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${err}`)));
  });
  return child;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
