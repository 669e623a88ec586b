/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF, a field quoted when it holds the
 * delimiter, a quote, CR or LF, quotes inside doubled (RFC 4180 §2.5-2.7). A text cell that a spreadsheet would run
 * as a formula (starting with = + - @, or a tab or CR some spreadsheets skip before one) gets a leading apostrophe,
 * as the OWASP "CSV injection" guidance advises: CME offices open these files in spreadsheets.
 */

export type Cell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** Numbers we write are data, not formulas: only text cells are guarded (an amount of -1.5 stays -1.5). */
export function csvCell(value: Cell, delimiter = ','): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record with its CRLF terminator. `delimiter` is a comma unless a layout asks for another (PARS has used tabs). */
export function csvRecord(cells: readonly Cell[], delimiter = ','): string {
  return `${cells.map((c) => csvCell(c, delimiter)).join(delimiter)}\r\n`;
}
