/**
 * Another Accrue instance on the suite's database, for tests that need what the shared one does not have: its own
 * log sink, or HTTPS on a host name of another site than the test platform's (browser tests). Built like
 * startServer: listen first (so the port is known), then build the app on that public URL.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http, { type RequestListener } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app';
import type { Config } from '../../src/config';
import type { Logger } from '../../src/log';
import type { RunningServer } from '../../src/main';
import { testConfig } from './db';
import { harness } from './harness';

/** A throwaway self-signed certificate for `host` (openssl, as on every Debian machine). */
export function selfSignedCertificate(host: string): { key: Buffer; cert: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${host}`,
      '-addext', `subjectAltName=DNS:${host}`, '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Serves an express app over HTTPS on 127.0.0.1, named https://localhost:<port>. */
export async function serveTls(app: RequestListener, tls: { key: Buffer; cert: Buffer }): Promise<{ url: string; close(): Promise<void> }> {
  const server = https.createServer(tls, app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

export async function startInstance(options: {
  /** Host name in the public URL (the server always listens on 127.0.0.1). */
  host?: string;
  tls?: { key: Buffer; cert: Buffer };
  log?: Logger;
  config?: Partial<Config>;
} = {}): Promise<RunningServer> {
  const server = options.tls ? https.createServer(options.tls) : http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const publicUrl = `${options.tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${port}`;
  const { accrue: shared } = harness();
  let accrue;
  try {
    accrue = await createApp({ config: testConfig({ sandbox: false, ...options.config, publicUrl }), db: shared.accrue.db, log: options.log });
  } catch (err) {
    server.close();
    throw err;
  }
  server.on('request', accrue.app);
  return {
    url: publicUrl,
    accrue,
    server: server as http.Server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await accrue.close();
    },
  };
}
