/**
 * Where the learner path's xAPI statements go. The sink writes in the caller's transaction, so a statement exists
 * exactly when its evidence does. Until the embedded LRS takes them, TableStatementSink keeps them in
 * `learning_statement`; app.ts chooses the sink.
 */
import type { Queryable } from '../db';

export interface StatementSink {
  store(q: Queryable, statements: object[]): Promise<void>;
}

export class TableStatementSink implements StatementSink {
  async store(q: Queryable, statements: object[]): Promise<void> {
    for (const s of statements) {
      const id = (s as { id?: unknown }).id;
      if (typeof id !== 'string') throw new Error('a statement needs its id');
      await q.query('INSERT INTO learning_statement (id, statement) VALUES ($1, $2)', [id, JSON.stringify(s)]);
    }
  }
}

/** The interface of the embedded LRS that the learner path needs (src/lrs's StatementService). */
export interface StatementWriter {
  store(input: unknown[], options: { q?: Queryable }): Promise<string[]>;
}

/** Statements go into Accrue's own LRS, in the caller's transaction, with Accrue as their authority. */
export class LrsStatementSink implements StatementSink {
  constructor(private readonly statements: StatementWriter) {}

  async store(q: Queryable, statements: object[]): Promise<void> {
    if (statements.length > 0) await this.statements.store(statements, { q });
  }
}
