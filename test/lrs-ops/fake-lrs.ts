/**
 * A fake external LRS for the forwarding tests: a third party we cannot run here, so a small express app that
 * speaks the part of xAPI Accrue uses: Basic auth, X-Experience-API-Version, PUT /statements?statementId= (204, or
 * 409 when the id is stored already: xAPI 1.0.3 Part 3 §2.1.1), GET /statements?statementId=. It stores each id
 * once and counts every PUT it received. Modes make it fail: 'down' (500), 'stall' (no answer), 'store-then-500'
 * (stores, then answers 500: a lost answer), 'reject' (400 for every statement).
 */
import express from 'express';
import { serve } from '../helpers/harness';

export type FakeMode = 'ok' | 'down' | 'stall' | 'store-then-500' | 'reject';

export interface FakeLrs {
  url: string;
  endpoint: string;
  key: string;
  secret: string;
  mode: FakeMode;
  /** statements stored, by id (each id once) */
  stored: Map<string, Record<string, unknown>>;
  /** every PUT received per id (redeliveries included) */
  puts: Map<string, number>;
  versions: Set<string>;
  close(): Promise<void>;
}

export async function startFakeLrs(o: { key?: string; secret?: string } = {}): Promise<FakeLrs> {
  const key = o.key ?? 'fake-key';
  const secret = o.secret ?? 'fake-secret';
  const stalled: express.Response[] = [];
  const fake = { mode: 'ok' as FakeMode, stored: new Map(), puts: new Map(), versions: new Set<string>() } as FakeLrs;
  const app = express();
  app.use(express.json({ limit: '5mb' }));
  app.use('/xapi', (req, res, next) => {
    const auth = req.headers.authorization ?? '';
    if (auth !== `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`) return void res.status(401).json({ error: 'bad credentials' });
    const version = req.headers['x-experience-api-version'];
    if (typeof version !== 'string' || !/^(1\.0\.\d|2\.0\.\d)$/.test(version)) return void res.status(400).json({ error: 'version header' });
    fake.versions.add(version);
    res.setHeader('X-Experience-API-Version', version);
    next();
  });
  app.put('/xapi/statements', (req, res) => {
    const id = String(req.query.statementId ?? '');
    fake.puts.set(id, (fake.puts.get(id) ?? 0) + 1);
    if (fake.mode === 'stall') return void stalled.push(res);
    if (fake.mode === 'down') return void res.status(500).json({ error: 'down' });
    if (fake.mode === 'reject') return void res.status(400).json({ error: 'refused' });
    const body = req.body as Record<string, unknown>;
    if (!body || body.id !== id) return void res.status(400).json({ error: 'statement id must match statementId' });
    if (fake.stored.has(id)) return void res.status(409).json({ error: 'exists' });
    fake.stored.set(id, { ...body, stored: new Date().toISOString() });
    if (fake.mode === 'store-then-500') return void res.status(500).json({ error: 'lost answer' });
    res.status(204).end();
  });
  app.get('/xapi/statements', (req, res) => {
    const id = String(req.query.statementId ?? '');
    const s = fake.stored.get(id);
    if (!s) return void res.status(404).json({ error: 'not found' });
    res.json(s);
  });
  const served = await serve(app);
  return Object.assign(fake, {
    url: served.url, endpoint: `${served.url}/xapi/`, key, secret,
    async close() {
      for (const r of stalled) r.destroy();
      await served.close();
    },
  });
}
