/**
 * Signed statements (xAPI 1.0.3 Part 2 §2.6, 2.0.0 §5.3 "Signed Statements"): the signature is a JWS (RFC 7515,
 * compact serialisation) carried as an attachment with usageType .../attachments/signature and contentType
 * application/octet-stream. The LRS refuses with 400 a JWS that is malformed, uses an algorithm other than
 * RS256/RS384/RS512, whose payload is not the statement it signs, or, when an X.509 chain is present (x5c),
 * whose signature does not verify against the first certificate.
 */
import { compactVerify, importX509 } from 'jose';
import { ValidationError } from '../errors';
import { sameStatement } from './model';
import { isObject, type JsonObject } from './validate/primitives';

const ALGS = ['RS256', 'RS384', 'RS512'];

const refuse = (why: string) => new ValidationError(`The statement signature is not valid: ${why}.`, undefined, 'XAPI_BAD_SIGNATURE');

function decodePart(part: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw refuse(`the JWS ${what} is not JSON`);
  }
}

/** Throws a 400 unless `jws` is a valid signature of `statement` (as received, before the LRS completed it). */
export async function verifySignature(jws: string, statement: JsonObject): Promise<void> {
  const parts = jws.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw refuse('it is not a JWS in compact serialisation');
  const header = decodePart(parts[0]!, 'header');
  if (!isObject(header)) throw refuse('the JWS header is not an object');
  if (typeof header.alg !== 'string' || !ALGS.includes(header.alg)) throw refuse('the algorithm must be RS256, RS384 or RS512');
  const payload = decodePart(parts[1]!, 'payload');
  if (!isObject(payload)) throw refuse('the JWS payload is not a statement');
  const unsigned = { ...statement };
  delete unsigned.attachments;
  const signed = { ...payload };
  delete signed.attachments;
  if (signed.id !== undefined && unsigned.id !== undefined && String(signed.id).toLowerCase() !== String(unsigned.id).toLowerCase()) {
    throw refuse('the JWS payload is a different statement');
  }
  if (!sameStatement(unsigned, signed)) throw refuse('the JWS payload does not match the statement');
  const x5c = header.x5c;
  if (Array.isArray(x5c) && typeof x5c[0] === 'string') {
    try {
      const pem = `-----BEGIN CERTIFICATE-----\n${x5c[0].match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----`;
      await compactVerify(jws.trim(), await importX509(pem, header.alg));
    } catch {
      throw refuse('the signature does not verify against the certificate in x5c');
    }
  }
}
