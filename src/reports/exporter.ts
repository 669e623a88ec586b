/**
 * Produces export files with constant memory: rows come through a cursor a batch at a time, are written to the
 * sink (waiting on it), and the claims each batch included are recorded in the same transaction. The export row,
 * its claims, the file's size and sha256 commit together when the last byte is written; a run that fails or whose
 * consumer goes away rolls back (no claim counts as sent) and is recorded as failed.
 *
 * Submissions (PARS, CPE Monitor) take only claims never sent to that target, unless a correction is asked for;
 * exports to one target run one at a time (advisory lock) and a unique index backs "never twice by accident".
 * NABP ids and birth dates are decrypted here, one row at a time, only to be written; they are never logged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ConflictError } from '../errors';
import type { TxQueryable } from '../db';
import type { PiiCipher, ProtectedIds } from '../learning';
import { csvRecord } from './csv';
import { deadlinesFor, todayIso, type DeadlineFlags } from './deadlines';
import { creditLabel, displayName, formatLabel, unitLabel } from './labels';
import { cellsOf, headerOf, parseLayout, type Layout, type LayoutKind } from './layout';
import { SUBMISSION_KIND, type ExportKind, type ExportMode, type ProgressListener, type Requester, type Submission } from './model';
import { cpeRow, parsRow, type Built, type ClaimFacts } from './rules';
import { describeScope, type LearnerRef, type Scope } from './scope';
import { HashingSink, type ByteSink } from './sink';
import type { ClaimRowDb, ReportStore, SubmissionFilter, SubmissionRowDb, TranscriptFilter } from './store';
import { writeTranscriptPdf } from './transcript-pdf';

export interface ExportResult { id: string; rowCount: number; claimCount: number; bytes: number; sha256: string }

export interface ExporterOptions {
  store: ReportStore;
  cipher: PiiCipher;
  nabpPattern: RegExp;
  layoutDir: string;
  batchSize?: number;
  providerName: string;
}

const LAYOUT_FILES: Record<LayoutKind, string> = { pars_learner: 'pars-learner.json', cpe_monitor: 'cpe-monitor.json' };

export const TRANSCRIPT_HEADER = ['Record', 'Learner', 'Learner ID', 'Activity', 'Activity ID', 'Format', 'Completion date', 'Credit type', 'Credit', 'Amount', 'Unit', 'Claim ID'];

export interface ProblemRow {
  claimId: string; learner: string; learnerId: string; activityTitle: string; creditType: string; completionDate: string;
  problems: string[]; flags: DeadlineFlags;
}

const nothingToSend = (correction: boolean) => new ConflictError(correction
  ? 'There are no claims for this target in your scope that can be sent.'
  : 'Every claim in your scope has already been sent to this target, or is held back until its learner data is complete (see the list below). Use a correction to send some again.',
'NOTHING_TO_EXPORT');

/**
 * Records the claims of each batch while the next batch is being written: one INSERT in flight at a time on the
 * export's connection (the server works on it while this process formats the next rows). Recording 100,000
 * claims costs the server seconds (two foreign keys and three indexes per row); awaited batch by batch, that time
 * added to the export's instead of overlapping it. A failed INSERT is the export's error (a FETCH queued behind it
 * only reports the aborted transaction).
 */
class ClaimRecorder {
  private inFlight: Promise<unknown> = Promise.resolve();
  private failure: { err: unknown } | null = null;
  constructor(private readonly store: ReportStore, private readonly q: TxQueryable, private readonly o: { exportId: string; target: Submission | null; correction: boolean }) {}

  async add(claims: { id: string; correctsExportId: string | null }[]): Promise<void> {
    await this.settle();
    if (claims.length === 0) return;
    this.inFlight = this.store.addExportClaims(this.q, { ...this.o, claims }).catch((err: unknown) => {
      this.failure ??= { err };
    });
  }

  /** Waits for the last INSERT; throws its error if one failed. */
  async settle(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure.err;
  }

  /** The error to report for a failed run: a failed INSERT's own, else `err`. */
  async cause(err: unknown): Promise<unknown> {
    await this.inFlight;
    return this.failure ? this.failure.err : err;
  }
}

export class Exporter {
  private readonly batchSize: number;
  constructor(private readonly o: ExporterOptions) {
    this.batchSize = o.batchSize ?? 1000;
  }

  /** The template of a target, read at each export so an office's edit applies without a restart. */
  layout(kind: LayoutKind): Layout {
    const file = path.join(this.o.layoutDir, LAYOUT_FILES[kind]);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new AppError({ code: 'EXPORT_LAYOUT_UNREADABLE', httpStatus: 503, kind: 'unavailable', message: `The export layout ${LAYOUT_FILES[kind]} cannot be read: ${(err as Error).message.replace(/^.*?: /, '')}` });
    }
    const parsed = parseLayout(json, kind, LAYOUT_FILES[kind]);
    if (!parsed.ok) throw new AppError({ code: 'EXPORT_LAYOUT_INVALID', httpStatus: 503, kind: 'unavailable', message: `The export layout is invalid: ${parsed.message}` });
    return parsed.layout;
  }

  private protectedIds(r: { protected: string | null; platform_id: string; sub: string }): ProtectedIds | null {
    if (!r.protected) return null;
    try {
      return this.o.cipher.decrypt(r.protected, { platformId: r.platform_id, sub: r.sub });
    } catch {
      return null; // another secret or a tampered value: reported as a missing id, the learner types it again
    }
  }

  private facts(r: SubmissionRowDb): ClaimFacts {
    return {
      claimId: r.claim_id, platformId: r.platform_id, sub: r.sub, creditType: r.credit_type, amount: r.amount, unit: r.unit,
      completionDate: r.completion_date, activityId: r.activity_id, activityTitle: r.activity_title, activityFormat: r.learning_format,
      person: { name: r.name, givenName: r.given_name, familyName: r.family_name }, consent: r.pars_consent,
    };
  }

  /** The learner of the previous row: their claims of one day are adjacent, so their ids are decrypted once for them. */
  private last: { owner: string; ids: ProtectedIds | null } | null = null;

  private build(target: Submission, r: SubmissionRowDb): Built {
    const owner = `${r.platform_id}\n${r.sub}\n${r.protected ?? ''}`;
    const ids = this.last?.owner === owner ? this.last.ids : this.protectedIds(r);
    this.last = { owner, ids };
    return target === 'PARS_LEARNER'
      ? parsRow(this.facts(r), { boardIds: r.board_ids, stateLicenses: r.state_licenses }, ids)
      : cpeRow(this.facts(r), { uan: r.acpe_uan, activityType: r.acpe_activity_type, audience: r.acpe_audience }, ids, this.o.nabpPattern);
  }

  /** How many claims a submission would consider now (those with problems included); refuses when there are none. */
  async candidates(target: Submission, filter: SubmissionFilter): Promise<number> {
    const q = this.o.store.submissionQuery(target, filter);
    const n = (await this.o.store.db.query<{ n: number }>(q.countSql, q.params)).rows[0]!.n;
    if (n === 0) throw nothingToSend(filter.includeReported);
    return n;
  }

  /** Writes a PARS or CPE Monitor file for the claims not yet sent (or all, for a correction) and records it. */
  /** `total`: the count `candidates` just made, for the progress; without it the export counts again (a 100k-claim join). */
  async submission(o: { id: string; target: Submission; filter: SubmissionFilter; requester: Requester; sink: ByteSink; progress?: ProgressListener; layout?: Layout; total?: number }): Promise<ExportResult> {
    const kind = SUBMISSION_KIND[o.target];
    const layout = o.layout ?? this.layout(kind as LayoutKind);
    const mode: ExportMode = o.filter.includeReported ? 'correction' : 'new';
    const base = { id: o.id, kind, target: o.target, mode, format: 'csv' as const, scope: { ...describeScope(o.filter.scope), ...(o.filter.activityId ? { activityId: o.filter.activityId } : {}) } };
    return this.recorded(base, o.requester, async (q, sink) => {
      await this.o.store.lockTarget(q, o.target);
      await this.o.store.insertExport(q, { ...base, layout, requestedBy: o.requester.id, requestedName: o.requester.name });
      const query = this.o.store.submissionQuery(o.target, o.filter);
      const total = o.total ?? (await q.query<{ n: number }>(query.countSql, query.params)).rows[0]!.n;
      o.progress?.({ done: 0, total });
      // The header goes out with the first row: a run that finds nothing sendable can still answer 409, not an empty file.
      let pending = layout.header ? csvRecord(headerOf(layout), layout.delimiter) : '';
      let done = 0;
      let rows = 0;
      const recorder = new ClaimRecorder(this.o.store, q, { exportId: o.id, target: o.target, correction: mode === 'correction' });
      try {
        for await (const batch of q.stream<SubmissionRowDb>(query.sql, query.params, this.batchSize)) {
          let chunk = '';
          const included: { id: string; correctsExportId: string | null }[] = [];
          for (const r of batch) {
            const built = this.build(o.target, r);
            if (built.problems.length > 0) continue;
            chunk += csvRecord(cellsOf(layout, built.record), layout.delimiter);
            included.push({ id: r.claim_id, correctsExportId: r.last_export_id });
          }
          if (chunk) {
            await sink.write(pending + chunk);
            pending = '';
          }
          await recorder.add(included);
          rows += included.length;
          done += batch.length;
          o.progress?.({ done, total });
        }
        await recorder.settle();
      } catch (err) {
        throw await recorder.cause(err);
      } finally {
        this.last = null;
      }
      if (rows === 0) throw nothingToSend(o.filter.includeReported);
      return { rowCount: rows, claimCount: rows };
    }, o.sink);
  }

  /** Unsent claims of a target that cannot be sent as they are, with their deadlines, soonest first. */
  async problems(target: Submission, scope: Scope, options: { limit: number; today?: string }): Promise<{ rows: ProblemRow[]; total: number }> {
    const query = this.o.store.submissionQuery(target, { scope, includeReported: false });
    const rows: ProblemRow[] = [];
    let total = 0;
    const today = options.today ?? todayIso();
    for await (const batch of this.o.store.db.stream<SubmissionRowDb>(query.sql, query.params, this.batchSize)) {
      for (const r of batch) {
        const built = this.build(target, r);
        if (built.problems.length === 0) continue;
        total++;
        if (rows.length < options.limit) {
          rows.push({
            claimId: r.claim_id, learner: displayName(r, r.sub), learnerId: r.sub, activityTitle: r.activity_title, creditType: r.credit_type,
            completionDate: r.completion_date, problems: built.problems, flags: deadlinesFor(target, r.completion_date, today),
          });
        }
      }
    }
    this.last = null;
    rows.sort((a, b) => a.flags.closes.localeCompare(b.flags.closes) || a.completionDate.localeCompare(b.completionDate));
    return { rows, total };
  }

  /** A transcript as CSV: one row per awarded claim, then one total row per credit type and unit. */
  async transcriptCsv(o: { id: string; kind: Extract<ExportKind, 'transcript_learner' | 'transcript_activity'>; filter: TranscriptFilter; requester: Requester; sink: ByteSink; progress?: ProgressListener }): Promise<ExportResult> {
    const base = { id: o.id, kind: o.kind, target: null, mode: 'copy' as const, format: 'csv' as const, scope: this.transcriptScope(o.filter) };
    return this.recorded(base, o.requester, async (q, sink) => {
      await this.o.store.insertExport(q, { ...base, layout: null, requestedBy: o.requester.id, requestedName: o.requester.name });
      const query = this.o.store.transcriptQuery(o.filter);
      const total = (await q.query<{ n: number }>(query.countSql, query.params)).rows[0]!.n;
      o.progress?.({ done: 0, total });
      await sink.write(csvRecord(TRANSCRIPT_HEADER));
      const totals = new Map<string, { creditType: string; unit: string; amount: number; claims: number }>();
      let done = 0;
      const recorder = new ClaimRecorder(this.o.store, q, { exportId: o.id, target: null, correction: false });
      try {
        for await (const batch of q.stream<ClaimRowDb>(query.sql, query.params, this.batchSize)) {
          await recorder.add(batch.map((r) => ({ id: r.claim_id, correctsExportId: null })));
          let chunk = '';
          for (const r of batch) {
            chunk += csvRecord(['claim', displayName(r, r.sub), r.sub, r.activity_title, r.activity_id, formatLabel(r.learning_format), r.completion_date,
              r.credit_type, creditLabel(r.credit_type), r.amount, r.unit, r.claim_id]);
            const key = `${r.credit_type}\n${r.unit}`;
            const t = totals.get(key) ?? { creditType: r.credit_type, unit: r.unit, amount: 0, claims: 0 };
            t.amount = Math.round((t.amount + r.amount) * 100) / 100;
            t.claims++;
            totals.set(key, t);
          }
          await sink.write(chunk);
          done += batch.length;
          o.progress?.({ done, total });
        }
        await recorder.settle();
      } catch (err) {
        throw await recorder.cause(err);
      }
      let tail = '';
      const sorted = [...totals.values()].sort((a, b) => a.creditType.localeCompare(b.creditType) || a.unit.localeCompare(b.unit));
      for (const t of sorted) {
        tail += csvRecord(['total', '', '', '', '', '', '', t.creditType, creditLabel(t.creditType), t.amount, t.unit, '']);
      }
      await sink.write(tail);
      return { rowCount: done, claimCount: done };
    }, o.sink);
  }

  /** One learner's transcript as a PDF: claims in date order, totals per credit type. */
  async transcriptPdf(o: { id: string; learner: LearnerRef; filter: TranscriptFilter; requester: Requester; sink: ByteSink }): Promise<ExportResult> {
    const base = { id: o.id, kind: 'transcript_learner' as const, target: null, mode: 'copy' as const, format: 'pdf' as const, scope: this.transcriptScope(o.filter) };
    const person = await this.o.store.person(o.learner);
    const totals = await this.o.store.transcriptTotals(o.filter);
    return this.recorded(base, o.requester, async (q, sink) => {
      await this.o.store.insertExport(q, { ...base, layout: null, requestedBy: o.requester.id, requestedName: o.requester.name });
      const query = this.o.store.transcriptQuery(o.filter);
      const store = this.o.store;
      let count = 0;
      const exportId = o.id;
      async function* claims() {
        for await (const batch of q.stream<ClaimRowDb>(query.sql, query.params, 500)) {
          await store.addExportClaims(q, { exportId, target: null, correction: false, claims: batch.map((r) => ({ id: r.claim_id, correctsExportId: null })) });
          count += batch.length;
          yield batch.map((r) => ({
            completionDate: r.completion_date, activity: r.activity_title, format: formatLabel(r.learning_format),
            credit: creditLabel(r.credit_type), amount: r.amount, unit: unitLabel(r.unit),
          }));
        }
      }
      await writeTranscriptPdf({
        sink, provider: this.o.providerName, learner: displayName(person, o.learner.sub), from: o.filter.from ?? null, to: o.filter.to ?? null,
        generatedAt: new Date(), claims: claims(), totals: totals.map((t) => ({ credit: creditLabel(t.creditType), amount: t.amount, unit: unitLabel(t.unit), claims: t.claims })),
      });
      return { rowCount: count, claimCount: count };
    }, o.sink);
  }

  private transcriptScope(f: TranscriptFilter) {
    return {
      ...describeScope(f.scope), ...(f.activityId ? { activityId: f.activityId } : {}),
      ...(f.learner ? { learner: { platformId: f.learner.platformId, sub: f.learner.sub } } : {}), ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}),
    };
  }

  /** Runs `body` in one transaction writing through a hashing sink; records completion, or the failure afterwards. */
  private async recorded(
    base: { id: string; kind: ExportKind; target: Submission | null; mode: ExportMode; format: 'csv' | 'pdf'; scope: object },
    requester: Requester,
    body: (q: TxQueryable, sink: HashingSink) => Promise<{ rowCount: number; claimCount: number }>,
    out: ByteSink,
  ): Promise<ExportResult> {
    const sink = new HashingSink(out);
    try {
      return await this.o.store.db.tx(async (q) => {
        const counts = await body(q, sink);
        const sha256 = sink.digest();
        await this.o.store.completeExport(q, { id: base.id, ...counts, bytes: sink.bytes, sha256 });
        return { id: base.id, ...counts, bytes: sink.bytes, sha256 };
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        // The unique index caught a claim sent by another export in the same moment (the lock makes this rare).
        err = new ConflictError('Some of these claims were just sent by another export; run this one again.', 'ALREADY_SENT');
      }
      if ((err as AppError).code === 'NOTHING_TO_EXPORT') throw err; // nothing was produced: nothing to trace
      await this.o.store.recordFailure({ ...base, requestedBy: requester.id, requestedName: requester.name, error: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
      throw err;
    }
  }
}

