/**
 * Retention: purge statements stored before a date, and erase one person (policy in rules.ts). Each run, dry or
 * not, is written to the append-only lrs_audit table and logged as one structured line with counts, who ran it and
 * the criteria as an HMAC: never the person or their statements.
 *
 * A purge deletes in batches (one transaction each, so it never holds a long lock on a busy LRS); its audit has a
 * "started" and a "finished" row, so an interrupted run shows. An erasure is one transaction.
 */
import type { Db, Queryable } from '../../db';
import { ValidationError } from '../../errors';
import type { Logger } from '../../log';
import { StatementStore } from '../store';
import { criteriaHash, erasedAgent, erasureAction, redacted, subjectKeys } from './rules';
import {
  audit, countBefore, deleteBatchBefore, deleteOrphanAttachments, deletePersonData, deleteSeqs, replaceStatement, statementsNaming,
} from './store';

export interface PurgeReport {
  dryRun: boolean;
  before: string;
  statements: number;
  voidedTargets: number;
  attachments: number;
}

export interface EraseReport {
  dryRun: boolean;
  statements: number;
  voidedTargets: number;
  redacted: number;
  attachments: number;
  documents: number;
  launchGrants: number;
}

const BATCH = 5000;
const LOG_NAMES: Record<string, string> = { statements: 'deleted', voidedTargets: 'voidedDeleted', redacted: 'pseudonymised' };

class DryRun extends Error {
  constructor(readonly report: EraseReport) {
    super('dry run');
  }
}

/** "YYYY-MM-DD" -> that day's start in UTC; 400 for anything else. */
export function parseDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== day) throw new ValidationError('--before must be a date as YYYY-MM-DD (UTC).');
  return date.toISOString();
}

export class Retention {
  private readonly statements: StatementStore;

  constructor(private readonly o: { db: Db; secret: string; publicUrl: string; log: Logger }) {
    this.statements = new StatementStore(o.db);
  }

  private record(q: Queryable, action: 'purge' | 'erase', phase: 'dry-run' | 'started' | 'finished', ranBy: string, hash: string, counts: object) {
    const numbers = Object.fromEntries(Object.entries(counts).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
    // Log field names avoid words the logger redacts ("state" is one: "statements" would be hidden).
    const logged = Object.fromEntries(Object.entries(numbers).map(([k, v]) => [LOG_NAMES[k] ?? k, v]));
    if (phase !== 'started') this.o.log.info(`lrs ${action}`, { action, phase, ranBy, criteriaHash: hash, counts: logged });
    return audit(q, { action, phase, ranBy, criteriaHash: hash, counts: numbers });
  }

  async purge(input: { before: string; dryRun: boolean; ranBy: string }): Promise<PurgeReport> {
    const before = parseDay(input.before);
    const hash = criteriaHash(this.o.secret, { action: 'purge', before });
    const { db } = this.o;
    if (input.dryRun) {
      const counts = await countBefore(db, before);
      const report = { dryRun: true, before: input.before, ...counts, attachments: 0 };
      await this.record(db, 'purge', 'dry-run', input.ranBy, hash, report);
      return report;
    }
    await this.record(db, 'purge', 'started', input.ranBy, hash, {});
    const report: PurgeReport = { dryRun: false, before: input.before, statements: 0, voidedTargets: 0, attachments: 0 };
    for (;;) {
      const done = await db.tx(async (q) => {
        const d = await deleteBatchBefore(q, before, BATCH);
        // Statements whose StatementRef targeted a deleted one no longer match through it (1.0.3 Part 3 §2.1.3).
        await this.statements.inheritTargets(q, d.ids);
        report.statements += d.statements;
        report.voidedTargets += d.voidedTargets;
        report.attachments += await deleteOrphanAttachments(q, d.shas);
        return d.statements === 0;
      });
      if (done) break;
    }
    await this.record(db, 'purge', 'finished', input.ranBy, hash, report);
    return report;
  }

  async erase(input: { actor: string; dryRun: boolean; ranBy: string }): Promise<EraseReport> {
    const keys = subjectKeys(input.actor);
    const hash = criteriaHash(this.o.secret, { action: 'erase', agents: keys });
    const keySet = new Set(keys);
    const replacement = erasedAgent(this.o.publicUrl);
    try {
      return await this.o.db.tx(async (q) => {
        const report: EraseReport = { dryRun: input.dryRun, statements: 0, voidedTargets: 0, redacted: 0, attachments: 0, documents: 0, launchGrants: 0 };
        const doomed: string[] = [];
        const changed: string[] = [];
        for (const c of await statementsNaming(q, keys)) {
          const action = erasureAction(c.statement, keySet);
          if (action === 'delete') doomed.push(c.seq);
          else if (action === 'redact') {
            await replaceStatement(q, c, redacted(c.statement, keySet, replacement));
            changed.push(c.id);
            report.redacted++;
          }
        }
        const d = await deleteSeqs(q, doomed);
        // StatementRefs to deleted or pseudonymised statements lose their copies of the person's index rows.
        await this.statements.inheritTargets(q, [...d.ids, ...changed]);
        report.statements = d.statements;
        report.voidedTargets = d.voidedTargets;
        report.attachments = await deleteOrphanAttachments(q, d.shas);
        Object.assign(report, await deletePersonData(q, keys));
        // A dry run does all of it and rolls back, so its counts are exactly what a run would do.
        if (input.dryRun) throw new DryRun(report);
        await this.record(q, 'erase', 'finished', input.ranBy, hash, report);
        return report;
      });
    } catch (err) {
      if (!(err instanceof DryRun)) throw err;
      await this.record(this.o.db, 'erase', 'dry-run', input.ranBy, hash, err.report);
      return err.report;
    }
  }
}
