/**
 * Verification codes: short, unguessable, easy to read aloud and type from paper. 15 symbols from a 32-symbol
 * alphabet without the look-alikes 0/O and 1/I = 75 random bits (the issue asks for at least 60), shown in groups of
 * five ("7KQ4M-WX2RD-HN9TB"). Case and separators do not matter when a code is typed back.
 */
import crypto from 'node:crypto';

export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 15;
export const CODE_BITS = CODE_LENGTH * Math.log2(CODE_ALPHABET.length);

/** A fresh random code, normalised (no separators). 32 symbols = 5 bits each, so no modulo bias. */
export function newCode(): string {
  const bytes = crypto.randomBytes(CODE_LENGTH);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[bytes[i]! & 31];
  return code;
}

/** The code as printed: groups of five joined by dashes. */
export function displayCode(code: string): string {
  return code.match(/.{1,5}/g)!.join('-');
}

/**
 * The normalised form of a typed code, or undefined when it cannot be one (wrong length, a letter outside the
 * alphabet). Spaces and dashes are ignored, lower case is read as upper case.
 */
export function normaliseCode(typed: string): string | undefined {
  if (typed.length > 64) return undefined;
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== CODE_LENGTH) return undefined;
  for (const c of code) if (!CODE_ALPHABET.includes(c)) return undefined;
  return code;
}
