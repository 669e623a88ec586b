/**
 * Streamed downloads: an export written into the HTTP response as it is produced (headers first, then batches),
 * with its progress published for the page. An error before the first byte reaches the error middleware (a 4xx
 * page); after it, the connection is cut so the browser shows a failed download rather than a short file.
 */
import crypto from 'node:crypto';
import type { Response } from 'express';
import type { ExportResult } from './exporter';
import type { ProgressListener } from './model';
import type { ProgressBoard } from './progress';
import { ProgressBoard as Board } from './progress';
import { streamSink, type ByteSink } from './sink';

export interface Download {
  res: Response;
  filename: string;
  contentType: string;
  board: ProgressBoard;
  owner: string;
  progressId: unknown;
  run: (o: { id: string; sink: ByteSink; progress: ProgressListener }) => Promise<ExportResult>;
}

export async function streamDownload(d: Download): Promise<void> {
  const id = crypto.randomUUID();
  const pid = Board.validId(d.progressId) ? d.progressId : null;
  const publish = (state: Parameters<ProgressBoard['set']>[2]) => {
    if (pid) d.board.set(d.owner, pid, state);
  };
  publish({ status: 'running', done: 0, total: 0, exportId: id });
  d.res.status(200);
  d.res.setHeader('Content-Type', d.contentType);
  d.res.setHeader('Content-Disposition', `attachment; filename="${d.filename.replace(/[^\w.-]/g, '_')}"`);
  d.res.setHeader('X-Accrue-Export-Id', id);
  let last = { done: 0, total: 0 };
  try {
    const result = await d.run({ id, sink: streamSink(d.res), progress: (p) => { last = p; publish({ status: 'running', ...p, exportId: id }); } });
    publish({ status: 'complete', done: last.total || result.rowCount, total: last.total || result.rowCount, exportId: id });
    d.res.end();
  } catch (err) {
    publish({ status: 'failed', ...last, exportId: id, message: err instanceof Error ? err.message : 'failed' });
    if (!d.res.headersSent) {
      d.res.removeHeader('Content-Disposition');
      d.res.removeHeader('X-Accrue-Export-Id');
      d.res.removeHeader('Content-Type');
      throw err;
    }
    d.res.destroy();
  }
}
