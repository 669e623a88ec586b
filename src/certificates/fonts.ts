/**
 * Widths of the WinAnsi characters in the four standard Helvetica faces, read once from pdfkit's copy of the Adobe
 * font metrics (through its public widthOfString), so that layout needs no font file and no per-call font work.
 * Kerning is not applied: the renderer places strings exactly as wide as these widths say.
 */
import PDFDocument from 'pdfkit';
import { WIN_ANSI } from './winansi';

export const FACES = ['Helvetica', 'Helvetica-Bold', 'Helvetica-Oblique', 'Helvetica-BoldOblique'] as const;
export type Face = (typeof FACES)[number];

/** Where the baseline sits below the top of a line, per point of size (the faces' AFM ascender, 718/1000). */
export const ASCENT = 0.718;

/** Per face, the width of each WinAnsi character in 1/1000 of the size, indexed by UTF-16 code unit. */
let tables: Map<Face, Float64Array> | undefined;

function load(): Map<Face, Float64Array> {
  const doc = new PDFDocument({ autoFirstPage: false });
  const highest = Math.max(...[...WIN_ANSI.keys()].map((ch) => ch.charCodeAt(0)));
  const result = new Map<Face, Float64Array>();
  for (const face of FACES) {
    doc.font(face).fontSize(1000);
    const widths = new Float64Array(highest + 1);
    for (const ch of WIN_ANSI.keys()) widths[ch.charCodeAt(0)] = doc.widthOfString(ch);
    result.set(face, widths);
  }
  return result;
}

/** Width in points of WinAnsi text (see toWinAnsi) set in `face` at `size`; other characters count as 0. */
export function textWidth(text: string, face: Face, size: number): number {
  tables ??= load();
  const widths = tables.get(face)!;
  let units = 0;
  for (let i = 0; i < text.length; i++) units += widths[text.charCodeAt(i)] ?? 0;
  return (units * size) / 1000;
}
