/**
 * The HTTP side of forwarding: PUT one statement to an external LRS (with its attachments as multipart/mixed,
 * xAPI 1.0.3 Part 3 §1.5.2) and, after a 409, GET the statement stored there under that id (also as a voided one:
 * the id may have been voided there since). Every call has a timeout; the caller's signal cancels it.
 */
import crypto from 'node:crypto';
import { buildMultipart } from '../multipart';
import type { JsonObject } from '../model';
import type { ForwardTarget } from './rules';

export type HttpOutcome = { status: number; json?: unknown } | { error: string };

export class ForwardClient {
  constructor(private readonly o: { timeoutMs: number }) {}

  private headers(t: ForwardTarget): Record<string, string> {
    return {
      Authorization: `Basic ${Buffer.from(`${t.key}:${t.secret}`).toString('base64')}`,
      'X-Experience-API-Version': t.version,
    };
  }

  private async call(url: string, init: RequestInit, signal: AbortSignal, readJson: boolean): Promise<HttpOutcome> {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.any([signal, AbortSignal.timeout(this.o.timeoutMs)]) });
      let json: unknown;
      if (readJson && res.status === 200) json = await res.json().catch(() => undefined);
      else await res.arrayBuffer().catch(() => undefined);
      return { status: res.status, json };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError') return { error: `no answer within ${this.o.timeoutMs} ms` };
      if (e.name === 'AbortError') return { error: 'cancelled' };
      return { error: e.cause?.code ? `${e.cause.code}` : e.message };
    }
  }

  put(t: ForwardTarget, statement: JsonObject, attachments: { sha2: string; contentType: string; content: Buffer }[], signal: AbortSignal): Promise<HttpOutcome> {
    const url = `${t.endpoint}statements?statementId=${encodeURIComponent(String(statement.id))}`;
    const json = Buffer.from(JSON.stringify(statement));
    if (attachments.length === 0) {
      return this.call(url, { method: 'PUT', headers: { ...this.headers(t), 'Content-Type': 'application/json' }, body: new Uint8Array(json) }, signal, false);
    }
    const boundary = `accrue-${crypto.randomBytes(12).toString('hex')}`;
    const body = buildMultipart([
      { headers: { 'Content-Type': 'application/json' }, body: json },
      ...attachments.map((a) => ({ headers: { 'Content-Type': a.contentType, 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': a.sha2 }, body: a.content })),
    ], boundary);
    return this.call(url, { method: 'PUT', headers: { ...this.headers(t), 'Content-Type': `multipart/mixed; boundary=${boundary}` }, body: new Uint8Array(body) }, signal, false);
  }

  /** The statement stored there under `id` (voided or not), or an outcome saying why not. */
  async get(t: ForwardTarget, id: string, signal: AbortSignal): Promise<{ statement: JsonObject } | HttpOutcome> {
    let last: HttpOutcome = { status: 404 };
    for (const param of ['statementId', 'voidedStatementId']) {
      last = await this.call(`${t.endpoint}statements?${param}=${encodeURIComponent(id)}`, { method: 'GET', headers: this.headers(t) }, signal, true);
      if ('status' in last && last.status === 200 && last.json && typeof last.json === 'object') return { statement: last.json as JsonObject };
      if (!('status' in last) || last.status !== 404) return last;
    }
    return last;
  }
}
