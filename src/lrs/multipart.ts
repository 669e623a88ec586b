/**
 * multipart/mixed bodies for statements with attachments (xAPI 1.0.3 Part 3 §1.5.2 / 2.0.0 §4.1.4, RFC 2046 §5.1).
 * Parsing is tolerant of a preamble and of header lines without a space after the colon; writing follows the
 * spec's layout: the statement(s) JSON first, then one part per attachment with X-Experience-API-Hash.
 */
import { ValidationError } from '../errors';

export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

export function boundaryOf(contentType: string): string | undefined {
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const i = line.indexOf(':');
    if (i <= 0) throw new ValidationError('A multipart part has a malformed header line.', undefined, 'XAPI_BAD_MULTIPART');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const bad = (why: string) => new ValidationError(`The multipart/mixed body is malformed: ${why}.`, undefined, 'XAPI_BAD_MULTIPART');
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw bad('no boundary found');
  const parts: Part[] = [];
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    const eol = body.indexOf('\n', pos);
    if (eol < 0) throw bad('a boundary line does not end');
    const start = eol + 1;
    let next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    let endOfContent = next;
    if (next < 0) {
      next = body.indexOf(Buffer.concat([Buffer.from('\n'), delimiter]), start);
      endOfContent = next;
      if (next < 0) throw bad('the closing boundary is missing');
      next += 1;
    } else next += 2;
    const raw = body.subarray(start, endOfContent);
    let sep = raw.indexOf('\r\n\r\n');
    let sepLen = 4;
    if (sep < 0) {
      sep = raw.indexOf('\n\n');
      sepLen = 2;
    }
    if (raw.subarray(0, 2).toString() === '\r\n') {
      parts.push({ headers: {}, body: raw.subarray(2) });
    } else if (sep < 0) {
      throw bad('a part has no blank line after its headers');
    } else {
      parts.push({ headers: parseHeaders(raw.subarray(0, sep).toString('utf8')), body: raw.subarray(sep + sepLen) });
    }
    pos = next;
  }
}

export function buildMultipart(parts: Part[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const head = Object.entries(p.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n\r\n`), p.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
