/**
 * Lays certificate markup out on one Letter-landscape page and writes it as a PDF, with the QR code of the
 * verification URL drawn as vector squares. Line breaking is measured with the fonts' metrics, so heights are exact:
 * content that would overflow is scaled down to fit one page instead of spilling onto a second.
 */
import QRCode from 'qrcode';
import { ASCENT, textWidth, type Face } from './fonts';
import type { Align, Block, CertificateMarkup, Run } from './markup';
import { OnePagePdf, type PdfInfo } from './pdf-writer';
import { toWinAnsi } from './winansi';

const PAGE = { width: 792, height: 612 }; // US Letter, landscape, in points
const MARGIN = { x: 66, y: 50 };
const CONTENT_WIDTH = PAGE.width - 2 * MARGIN.x;
const CONTENT_HEIGHT = PAGE.height - 2 * MARGIN.y;
const LINE_HEIGHT = 1.22;
const SMALL = 0.8;
const MIN_SCALE = 0.5;
const INK = '#1a1a1a';
const ACCENT = '#1f3155';
const RULE = '#9aa3b5';

interface TagStyle { size: number; bold: boolean; color: string; after: number }

const TAG_STYLES: Record<string, TagStyle> = {
  h1: { size: 26, bold: true, color: ACCENT, after: 6 },
  h2: { size: 16, bold: true, color: ACCENT, after: 5 },
  h3: { size: 12.5, bold: true, color: INK, after: 4 },
  p: { size: 11.5, bold: false, color: INK, after: 5 },
  aside: { size: 9.5, bold: false, color: INK, after: 8 },
};
const ASIDE_PADDING = 8;
const HR_SPACE = 12;

export class CertificateLayoutError extends Error {}

function faceOf(bold: boolean, italic: boolean): Face {
  return bold ? (italic ? 'Helvetica-BoldOblique' : 'Helvetica-Bold') : italic ? 'Helvetica-Oblique' : 'Helvetica';
}

interface Segment { text: string; face: Face; size: number; width: number }
interface Line { segments: Segment[]; width: number; height: number; ascent: number }
type Laid =
  | { kind: 'text'; lines: Line[]; align: Align; color: string; boxed: boolean; height: number; after: number }
  | { kind: 'hr'; height: number; after: number }
  | { kind: 'qr'; size: number; align: Align; height: number; after: number };

/** Greedy line breaking of styled runs within `width`; a word wider than a line is broken between characters. */
function breakLines(runs: Run[], options: { size: number; bold: boolean; width: number }): Line[] {
  const lines: Line[] = [];
  let line: Segment[] = [];
  let lineWidth = 0;
  let pendingSpace: Segment | undefined;
  const finish = () => {
    let height = options.size * SMALL * LINE_HEIGHT;
    let ascent = options.size * ASCENT;
    if (line.length > 0) {
      const largest = Math.max(...line.map((s) => s.size));
      height = largest * LINE_HEIGHT;
      ascent = largest * ASCENT;
    }
    lines.push({ segments: mergeSegments(line), width: lineWidth, height, ascent });
    line = [];
    lineWidth = 0;
    pendingSpace = undefined;
  };
  const push = (segment: Segment) => {
    line.push(segment);
    lineWidth += segment.width;
  };
  const place = (word: string, face: Face, size: number) => {
    const w = textWidth(word, face, size);
    const spaceWidth = pendingSpace?.width ?? 0;
    if (line.length > 0 && lineWidth + spaceWidth + w > options.width) finish();
    else if (pendingSpace && line.length > 0) push(pendingSpace);
    pendingSpace = undefined;
    if (w <= options.width) {
      push({ text: word, face, size, width: w });
      return;
    }
    // A URL or a very long name: break it where it no longer fits.
    let chunk = '';
    for (const ch of word) {
      if (chunk && lineWidth + textWidth(chunk + ch, face, size) > options.width) {
        push({ text: chunk, face, size, width: textWidth(chunk, face, size) });
        finish();
        chunk = '';
      }
      chunk += ch;
    }
    if (chunk) push({ text: chunk, face, size, width: textWidth(chunk, face, size) });
  };
  for (const run of runs) {
    if ('br' in run) {
      finish();
      continue;
    }
    const face = faceOf(options.bold || run.bold, run.italic);
    const size = run.small ? options.size * SMALL : options.size;
    for (const piece of toWinAnsi(run.text).split(/( )/)) {
      if (piece === '') continue;
      if (piece !== ' ') place(piece, face, size);
      else if (line.length > 0) pendingSpace = { text: ' ', face, size, width: textWidth(' ', face, size) };
    }
  }
  if (line.length > 0 || lines.length === 0) finish();
  return lines;
}

/** Adjacent segments in the same face and size are drawn as one string. */
function mergeSegments(segments: Segment[]): Segment[] {
  const merged: Segment[] = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    if (last && last.face === s.face && last.size === s.size) {
      last.text += s.text;
      last.width += s.width;
    } else merged.push({ ...s });
  }
  return merged;
}

function layout(blocks: Block[], scale: number): { laid: Laid[]; height: number } {
  const laid: Laid[] = [];
  for (const block of blocks) {
    if (block.kind === 'hr') laid.push({ kind: 'hr', height: HR_SPACE * scale, after: 0 });
    else if (block.kind === 'qr') laid.push({ kind: 'qr', size: block.size * scale, align: block.align, height: block.size * scale, after: 6 * scale });
    else {
      const style = TAG_STYLES[block.tag]!;
      const boxed = block.tag === 'aside';
      const pad = boxed ? ASIDE_PADDING * scale : 0;
      const lines = breakLines(block.runs, { size: style.size * scale, bold: style.bold, width: CONTENT_WIDTH - 2 * pad });
      const height = lines.reduce((h, l) => h + l.height, 0) + 2 * pad;
      laid.push({ kind: 'text', lines, align: block.align, color: style.color, boxed, height, after: style.after * scale });
    }
  }
  const last = laid[laid.length - 1];
  const height = laid.reduce((h, b) => h + b.height + b.after, 0) - (last?.after ?? 0);
  return { laid, height };
}

function alignedX(align: Align, width: number, options: { left: number; inner: number }): number {
  const { left, inner } = options;
  return align === 'left' ? left : align === 'right' ? left + inner - width : left + (inner - width) / 2;
}

function drawBorder(pdf: OnePagePdf, border: CertificateMarkup['border']): void {
  if (border === 'none') return;
  pdf.strokeRect({ x: 20, y: 20, w: PAGE.width - 40, h: PAGE.height - 40, lineWidth: border === 'double' ? 2.2 : 1, color: ACCENT });
  if (border === 'double') pdf.strokeRect({ x: 26, y: 26, w: PAGE.width - 52, h: PAGE.height - 52, lineWidth: 0.6, color: ACCENT });
}

/** Dark modules as filled squares; a horizontal run of dark modules is one rectangle. */
function drawQr(pdf: OnePagePdf, text: string, options: { x: number; y: number; size: number }): void {
  // One byte-mode segment and a fixed mask pattern: both as valid as the encoder's own choices (ISO/IEC 18004 7.4,
  // 8.8), without its segment search and mask scoring, the slow part of encoding a short URL.
  const qr = QRCode.create([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: 'M', maskPattern: 2 });
  const n = qr.modules.size;
  const quiet = 4; // modules of white around the symbol (ISO/IEC 18004 6.3.8)
  const cell = options.size / (n + 2 * quiet);
  for (let row = 0; row < n; row++) {
    let start = -1;
    for (let col = 0; col <= n; col++) {
      const dark = col < n && qr.modules.get(row, col) === 1;
      if (dark && start < 0) start = col;
      if (!dark && start >= 0) {
        // A hair of overlap so that viewers do not show seams between neighbouring squares.
        pdf.rect(options.x + (quiet + start) * cell, options.y + (quiet + row) * cell, (col - start) * cell + 0.02, cell + 0.02);
        start = -1;
      }
    }
  }
  pdf.fillPath('#000000');
}

function drawText(pdf: OnePagePdf, block: Extract<Laid, { kind: 'text' }>, options: { top: number; scale: number }): void {
  let y = options.top;
  const pad = block.boxed ? ASIDE_PADDING * options.scale : 0;
  if (block.boxed) pdf.strokeRect({ x: MARGIN.x, y, w: CONTENT_WIDTH, h: block.height, lineWidth: 0.8, color: ACCENT });
  y += pad;
  for (const line of block.lines) {
    let x = alignedX(block.align, line.width, { left: MARGIN.x + pad, inner: CONTENT_WIDTH - 2 * pad });
    for (const s of line.segments) {
      pdf.text(s.text, { x, baseline: y + line.ascent, face: s.face, size: s.size, color: block.color });
      x += s.width;
    }
    y += line.height;
  }
}

/** Renders the certificate as a one-page PDF; throws CertificateLayoutError when it cannot fit even scaled down. */
export function renderCertificatePdf(options: { markup: CertificateMarkup; qrText: string; info: PdfInfo }): Buffer {
  const { markup } = options;
  let scale = 1;
  let result = layout(markup.blocks, scale);
  for (let i = 0; i < 6 && result.height > CONTENT_HEIGHT && scale > MIN_SCALE; i++) {
    scale = Math.max(MIN_SCALE, scale * (CONTENT_HEIGHT / result.height) * 0.99);
    result = layout(markup.blocks, scale);
  }
  if (result.height > CONTENT_HEIGHT) {
    throw new CertificateLayoutError(`the certificate does not fit on one page even at ${MIN_SCALE * 100}% size; shorten the template or the statements`);
  }
  const pdf = new OnePagePdf(PAGE.width, PAGE.height);
  drawBorder(pdf, markup.border);
  let y = MARGIN.y + (CONTENT_HEIGHT - result.height) / 2;
  for (const block of result.laid) {
    if (block.kind === 'text') drawText(pdf, block, { top: y, scale });
    else if (block.kind === 'hr') {
      const mid = y + block.height / 2;
      pdf.line({ x1: MARGIN.x, y1: mid, x2: MARGIN.x + CONTENT_WIDTH, y2: mid, lineWidth: 0.6, color: RULE });
    } else drawQr(pdf, options.qrText, { x: alignedX(block.align, block.size, { left: MARGIN.x, inner: CONTENT_WIDTH }), y, size: block.size });
    y += block.height + block.after;
  }
  return pdf.toBuffer(options.info);
}
