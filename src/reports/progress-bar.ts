/**
 * The CLI's progress (pure rendering, the writer is passed in): a bar redrawn in place on a terminal, plain
 * lines otherwise (a log file or a scheduled job's mail gets a line at each tenth, not a thousand carriage returns).
 */
import type { Progress } from './model';

export function bar(p: Progress, width = 30): string {
  const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${p.done}/${p.total} rows`;
}

export function progressReporter(o: { tty: boolean; write: (s: string) => void; line: (s: string) => void }) {
  let lastTenth = -1;
  let lastDraw = 0;
  return {
    update(p: Progress) {
      if (o.tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && p.done < p.total) return;
        lastDraw = now;
        o.write(`\r${bar(p)}`);
        return;
      }
      const tenth = p.total > 0 ? Math.floor((p.done / p.total) * 10) : 0;
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        o.line(`progress ${p.done}/${p.total} rows (${tenth * 10}%)`);
      }
    },
    done() {
      if (o.tty) o.write('\n');
    },
  };
}
