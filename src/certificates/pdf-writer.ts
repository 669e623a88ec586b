/**
 * A one-page PDF (ISO 32000-1) written directly: text in the standard Type 1 Helvetica faces with WinAnsi encoding
 * (9.6.2.2, Annex D), filled and stroked paths, one compressed content stream, an Info dictionary. It is all a
 * certificate needs, and writing it takes a fraction of a millisecond, where a general PDF library's text API was
 * the slowest step of an issue. Coordinates given to this writer are from the top-left, in points.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { FACES, type Face } from './fonts';
import { WIN_ANSI } from './winansi';

function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** "#1f3155" -> "0.12 0.19 0.33". */
function rgb(hex: string): string {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255].map((c) => num(c / 255)).join(' ');
}

/** A PDF literal string of WinAnsi text: ( ) \ escaped, bytes outside printable ASCII as octal (7.3.4.2). */
function literal(text: string): string {
  let out = '(';
  for (const ch of text) {
    const code = WIN_ANSI.get(ch) ?? 0x3f; // "?" for anything the caller did not transliterate
    if (code === 0x28 || code === 0x29 || code === 0x5c) out += `\\${ch}`;
    else if (code < 0x20 || code > 0x7e) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out})`;
}

/** A text string of the Info dictionary: UTF-16BE with a byte-order mark, so any name prints exactly (7.9.2.2). */
function textString(text: string): string {
  const utf16 = Buffer.from(`\ufeff${text}`, 'utf16le').swap16();
  return `<${utf16.toString('hex')}>`;
}

/** D:YYYYMMDDHHmmSSZ (7.9.4). */
function pdfDate(d: Date): string {
  return `D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export interface PdfInfo {
  title: string;
  author: string;
  subject: string;
  createdAt: Date;
}

export class OnePagePdf {
  private readonly ops: string[] = [];
  private fill = '';
  private stroke = '';

  constructor(readonly width: number, readonly height: number) {}

  /** Draws WinAnsi text with its baseline at `baseline` (from the top). */
  text(text: string, options: { x: number; baseline: number; face: Face; size: number; color: string }): void {
    this.setFill(options.color);
    const font = `F${FACES.indexOf(options.face) + 1}`;
    this.ops.push(`BT /${font} ${num(options.size)} Tf ${num(options.x)} ${num(this.height - options.baseline)} Td ${literal(text)} Tj ET`);
  }

  /** Adds a rectangle to the current path (filled by fillPath). */
  rect(x: number, y: number, w: number, h: number): void {
    this.ops.push(`${num(x)} ${num(this.height - y - h)} ${num(w)} ${num(h)} re`);
  }

  fillPath(color: string): void {
    this.setFill(color);
    this.ops.push('f');
  }

  strokeRect(options: { x: number; y: number; w: number; h: number; lineWidth: number; color: string }): void {
    this.setStroke(options.color);
    this.ops.push(`${num(options.lineWidth)} w ${num(options.x)} ${num(this.height - options.y - options.h)} ${num(options.w)} ${num(options.h)} re S`);
  }

  line(options: { x1: number; y1: number; x2: number; y2: number; lineWidth: number; color: string }): void {
    this.setStroke(options.color);
    this.ops.push(`${num(options.lineWidth)} w ${num(options.x1)} ${num(this.height - options.y1)} m ${num(options.x2)} ${num(this.height - options.y2)} l S`);
  }

  private setFill(color: string): void {
    if (this.fill !== color) this.ops.push(`${rgb(color)} rg`);
    this.fill = color;
  }

  private setStroke(color: string): void {
    if (this.stroke !== color) this.ops.push(`${rgb(color)} RG`);
    this.stroke = color;
  }

  /** The finished file. */
  toBuffer(info: PdfInfo): Buffer {
    const content = zlib.deflateSync(Buffer.from(this.ops.join('\n'), 'latin1'), { level: 6 });
    const fonts = FACES.map((_face, i) => `/F${i + 1} ${5 + i} 0 R`).join(' ');
    const objects: (string | Buffer)[] = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(this.width)} ${num(this.height)}] /Resources << /ProcSet [/PDF /Text] /Font << ${fonts} >> >> /Contents 4 0 R >>`,
      Buffer.concat([Buffer.from(`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`), content, Buffer.from('\nendstream')]),
      ...FACES.map((face) => `<< /Type /Font /Subtype /Type1 /BaseFont /${face} /Encoding /WinAnsiEncoding >>`),
      `<< /Title ${textString(info.title)} /Author ${textString(info.author)} /Subject ${textString(info.subject)} /Creator (Accrue) /Producer (Accrue) /CreationDate (${pdfDate(info.createdAt)}) >>`,
    ];
    const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
    let offset = parts[0]!.length;
    const offsets: number[] = [];
    objects.forEach((body, i) => {
      offsets.push(offset);
      const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), typeof body === 'string' ? Buffer.from(body, 'latin1') : body, Buffer.from('\nendobj\n')]);
      parts.push(chunk);
      offset += chunk.length;
    });
    const id = crypto.randomBytes(16).toString('hex');
    const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
    parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
    return Buffer.concat(parts);
  }
}
