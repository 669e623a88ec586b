/**
 * The PDF uses only the standard Helvetica faces (no font files to ship or embed), and those print the WinAnsi
 * character set. Text outside it is transliterated for the PDF alone (ł -> l, Ő -> O, "→" -> "?"); the database, the
 * verification page and the credential keep the exact text. No I/O.
 */

/** The characters WinAnsi places in 0x80-0x9F, beyond Latin-1, and their codes (PDF 32000-1, Annex D.2). */
const WIN_ANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
const WIN_ANSI_EXTRA_CODES = [
  0x80, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8e,
  0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9e, 0x9f,
];

/** Every character WinAnsi prints, with its one-byte code. */
export const WIN_ANSI: ReadonlyMap<string, number> = new Map([
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => [String.fromCharCode(0x20 + i), 0x20 + i] as const),
  ...Array.from({ length: 0x100 - 0xa0 }, (_, i) => [String.fromCharCode(0xa0 + i), 0xa0 + i] as const),
  ...[...WIN_ANSI_EXTRA].map((ch, i) => [ch, WIN_ANSI_EXTRA_CODES[i]!] as const),
]);

/** Letters that do not decompose into a base letter and a mark. */
const SPECIAL: Record<string, string> = {
  ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ħ: 'h', Ħ: 'H', ı: 'i', ŀ: 'l', Ŀ: 'L', ŋ: 'n', Ŋ: 'N', ŧ: 't', Ŧ: 'T', ĸ: 'k',
  '‐': '-', '‑': '-', '‒': '-', '−': '-', '′': "'", '″': '"', '\u2009': ' ', '\u202f': ' ', '\u2007': ' ',
};

export function isWinAnsi(ch: string): boolean {
  return WIN_ANSI.has(ch);
}

/** `text` in characters the standard fonts print; anything else becomes its base letter, or "?". */
export function toWinAnsi(text: string): string {
  let out = '';
  for (const ch of text) {
    if (isWinAnsi(ch)) {
      out += ch;
      continue;
    }
    if (ch === '\t' || ch === '\n' || ch === '\r') {
      out += ' ';
      continue;
    }
    const special = SPECIAL[ch];
    if (special !== undefined) {
      out += special;
      continue;
    }
    const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
    out += base !== '' && [...base].every(isWinAnsi) ? base : '?';
  }
  return out;
}
