/**
 * Matching attachment parts to the statements that declare them (xAPI 1.0.3 Part 3 §1.5.2, 2.0.0 §4.1.4.2):
 * every declared attachment without fileUrl must arrive as a part with its X-Experience-API-Hash, every part must
 * be declared, and a part's content must hash to its declared SHA-2. Signature attachments are checked as JWS.
 */
import crypto from 'node:crypto';
import { ValidationError } from '../errors';
import { verifySignature } from './signature';
import { SIGNATURE_USAGE } from './validate/statement';
import { isObject, type JsonObject } from './validate/primitives';

export interface AttachmentContent {
  sha2: string;
  contentType: string;
  content: Buffer;
}

const refuse = (why: string) => new ValidationError(`Attachments: ${why}.`, undefined, 'XAPI_BAD_ATTACHMENT');

function declared(statement: JsonObject): JsonObject[] {
  const list = Array.isArray(statement.attachments) ? [...(statement.attachments as JsonObject[])] : [];
  const sub = statement.object;
  if (isObject(sub) && sub.objectType === 'SubStatement' && Array.isArray(sub.attachments)) list.push(...(sub.attachments as JsonObject[]));
  return list;
}

function hashMatches(content: Buffer, sha2: string): boolean {
  const algo = ({ 56: 'sha224', 64: 'sha256', 96: 'sha384', 128: 'sha512' } as Record<number, string>)[sha2.length];
  return Boolean(algo) && crypto.createHash(algo!).update(content).digest('hex') === sha2.toLowerCase();
}

/**
 * Checks the parts against the statements and returns the content to store, by SHA-2.
 * `parts` is undefined for an application/json request (no content may be expected then).
 */
export async function collectAttachments(statements: JsonObject[], parts: AttachmentContent[] | undefined): Promise<AttachmentContent[]> {
  const received = new Map<string, AttachmentContent>();
  for (const p of parts ?? []) {
    if (!p.sha2) throw refuse('every attachment part needs an X-Experience-API-Hash header');
    received.set(p.sha2.toLowerCase(), p);
  }
  const needed = new Set<string>();
  for (const s of statements) {
    for (const a of declared(s)) {
      const sha2 = String(a.sha2).toLowerCase();
      if (a.usageType === SIGNATURE_USAGE) {
        if (String(a.contentType).split(';')[0]!.trim() !== 'application/octet-stream') throw refuse('a signature attachment has contentType application/octet-stream');
        const part = received.get(sha2);
        if (!part) throw refuse('the signature of a signed statement must be sent as a part');
        await verifySignature(part.content.toString('utf8'), s);
      }
      if (received.has(sha2)) needed.add(sha2);
      else if (a.fileUrl === undefined) throw refuse(`no part was sent for the attachment with sha2 ${sha2}, and it has no fileUrl`);
    }
  }
  const out: AttachmentContent[] = [];
  for (const [sha2, p] of received) {
    if (!needed.has(sha2)) throw refuse(`the part with hash ${sha2} matches no attachment of the statements`);
    if (!hashMatches(p.content, sha2)) throw refuse(`the content of the part with hash ${sha2} does not have that hash`);
    out.push({ ...p, sha2 });
  }
  return out;
}

/** SHA-2s of the attachments of these statements whose content the LRS may hold (those sent as parts). */
export function attachmentHashes(statements: JsonObject[]): string[] {
  const set = new Set<string>();
  for (const s of statements) for (const a of declared(s)) if (typeof a.sha2 === 'string') set.add(a.sha2.toLowerCase());
  return [...set];
}
