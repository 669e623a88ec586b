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
