/**
 * A learner's transcript as a PDF (pdfkit, its built-in Helvetica). Claims arrive in batches from a cursor and
 * pdfkit's output is passed on to the sink after each batch, so a long transcript is never held whole.
 * Credit names are printed in full (the AMA mark with ™, cme-credit.md 1.1).
 */
import type PDFKit from 'pdfkit';
import type { ByteSink } from './sink';

// pdfkit (with its fonts and tables, ~20 MB of a process's memory) is loaded when a PDF is first written, not with
// the exporter: a CSV export from the CLI never needs it.
const pdfkit = (): typeof PDFKit => require('pdfkit') as typeof PDFKit;

export interface TranscriptLine { completionDate: string; activity: string; format: string; credit: string; amount: number; unit: string }

export interface TranscriptPdf {
  sink: ByteSink;
  provider: string;
  learner: string;
  from: string | null;
  to: string | null;
  generatedAt: Date;
  claims: AsyncIterable<TranscriptLine[]>;
  totals: { credit: string; amount: number; unit: string; claims: number }[];
}

const COLS = [
  { title: 'Date', width: 70 },
  { title: 'Activity', width: 200 },
  { title: 'Credit', width: 170 },
  { title: 'Amount', width: 72 },
];

export async function writeTranscriptPdf(t: TranscriptPdf): Promise<void> {
  const PDFDocument = pdfkit();
  const doc = new PDFDocument({ size: 'LETTER', margin: 50, info: { Title: `Transcript of ${t.learner}`, Author: t.provider, Subject: 'Continuing education transcript' } });
  const pending: Buffer[] = [];
  doc.on('data', (b: Buffer) => pending.push(b));
  const ended = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  const flush = async () => {
    while (pending.length) await t.sink.write(pending.shift()!);
  };

  doc.font('Helvetica-Bold').fontSize(18).text('Continuing education transcript');
  doc.moveDown(0.3).font('Helvetica').fontSize(11).text(t.provider);
  doc.moveDown(0.6).fontSize(11).text(`Learner: ${t.learner}`);
  const range = t.from || t.to ? `${t.from ?? 'the beginning'} to ${t.to ?? 'today'}` : 'all dates';
  doc.text(`Completions: ${range}`);
  doc.text(`Issued: ${t.generatedAt.toISOString().slice(0, 10)}`);
  doc.moveDown();

  const left = doc.page.margins.left;
  const header = () => {
    doc.font('Helvetica-Bold').fontSize(9);
    let x = left;
    const y = doc.y;
    for (const c of COLS) {
      doc.text(c.title, x, y, { width: c.width - 6 });
      x += c.width;
    }
    doc.moveDown(0.4).font('Helvetica').fontSize(9);
  };
  const row = (cells: string[]) => {
    const heights = cells.map((c, i) => doc.heightOfString(c, { width: COLS[i]!.width - 6 }));
    const h = Math.max(...heights) + 4;
    if (doc.y + h > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    let x = left;
    cells.forEach((c, i) => {
      doc.text(c, x, y, { width: COLS[i]!.width - 6 });
      x += COLS[i]!.width;
    });
    doc.x = left;
    doc.y = y + h;
  };

  header();
  let any = false;
  for await (const batch of t.claims) {
    for (const c of batch) {
      any = true;
      row([c.completionDate, `${c.activity} (${c.format})`, c.credit, `${c.amount.toFixed(2)} ${c.unit}`]);
    }
    await flush();
  }
  if (!any) doc.text('No credit was awarded in this period.', left);

  doc.moveDown().font('Helvetica-Bold').fontSize(11).text('Totals by credit type', left);
  doc.font('Helvetica').fontSize(10);
  if (t.totals.length === 0) doc.text('None.');
  for (const x of t.totals) doc.text(`${x.credit}: ${x.amount.toFixed(2)} ${x.unit} (${x.claims} ${x.claims === 1 ? 'claim' : 'claims'})`);
  doc.end();
  await ended;
  await flush();
}
