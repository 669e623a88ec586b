/** Attachments in and out as multipart/mixed, and signed statements (JWS signature attachments). */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { CompactSign, generateKeyPair } from 'jose';
import { credential, lrs, q, statement, type TestCredential } from './helpers';

const SIGNATURE = 'http://adlnet.gov/expapi/attachments/signature';
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

function multipart(parts: { headers: Record<string, string>; body: Buffer | string }[], boundary = `b-${crypto.randomUUID()}`) {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${Object.entries(p.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/mixed; boundary=${boundary}` };
}

const attachmentPart = (content: Buffer, type = 'text/plain') => ({
  headers: { 'Content-Type': type, 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': sha256(content) },
  body: content,
});

function withAttachment(content: Buffer, extra: Record<string, unknown> = {}) {
  return statement({
    attachments: [{ usageType: 'http://example.org/attachment/certificate', display: { 'en-US': 'Certificate' }, contentType: 'text/plain', length: content.length, sha2: sha256(content), ...extra }],
  });
}

describe('LRS attachments and signed statements', () => {
  let cred: TestCredential;
  before(async () => {
    cred = await credential(['all']);
  });
  const send = (m: { body: Buffer; type: string }) => lrs(cred).post('/statements').set('Content-Type', m.type).send(m.body);

  describe('XAPI-00130 XAPI-00167 multipart/mixed in and out', () => {
    it('when a statement is posted with its attachment, then GET attachments=true returns both as multipart/mixed', async () => {
      const content = Buffer.from(`certificate ${crypto.randomUUID()}`);
      const s = withAttachment(content);
      await send(multipart([{ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(s) }, attachmentPart(content)])).expect(200);
      const res = await lrs(cred).get(`/statements${q({ statementId: s.id, attachments: 'true' })}`).buffer(true)
        .parse((r, cb) => { const c: Buffer[] = []; r.on('data', (d: Buffer) => c.push(d)); r.on('end', () => cb(null, Buffer.concat(c))); }).expect(200);
      expect(res.headers['content-type']).to.match(/^multipart\/mixed; boundary=/);
      const text = (res.body as Buffer).toString('utf8');
      expect(text).to.include(`X-Experience-API-Hash: ${sha256(content)}`);
      expect(text).to.include(content.toString());
      expect(text).to.include(`"id":"${s.id}"`);
      const plain = await lrs(cred).get(`/statements${q({ statementId: s.id })}`).expect(200);
      expect(plain.headers['content-type']).to.match(/^application\/json/);
    });

    it('XAPI-00129 when an attachment without fileUrl has no part, then 400', async () => {
      const content = Buffer.from('missing');
      await lrs(cred).post('/statements').send(withAttachment(content)).expect(400);
      await send(multipart([{ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(withAttachment(content)) }])).expect(400);
    });

    it('when an attachment has a fileUrl, then application/json is enough', async () => {
      await lrs(cred).post('/statements').send(withAttachment(Buffer.from('remote'), { fileUrl: 'https://example.org/cert.txt' })).expect(200);
    });

    it('XAPI-00128 when a part matches no attachment, then 400', async () => {
      const content = Buffer.from('one');
      const stray = Buffer.from('stray');
      await send(multipart([{ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(withAttachment(content)) }, attachmentPart(content), attachmentPart(stray)])).expect(400);
    });

    it('XAPI-00131 when a part lacks X-Experience-API-Hash or its content does not hash to it, then 400', async () => {
      const content = Buffer.from('hash me');
      const s = JSON.stringify(withAttachment(content));
      await send(multipart([{ headers: { 'Content-Type': 'application/json' }, body: s }, { headers: { 'Content-Type': 'text/plain', 'Content-Transfer-Encoding': 'binary' }, body: content }])).expect(400);
      await send(multipart([{ headers: { 'Content-Type': 'application/json' }, body: s }, { ...attachmentPart(content), body: Buffer.from('other bytes') }])).expect(400);
    });
  });

  describe('XAPI-00115 XAPI-00116 XAPI-00117 signed statements', () => {
    let privateKey: CryptoKey;
    before(async () => {
      ({ privateKey } = await generateKeyPair('RS256', { extractable: true }));
    });

    async function signed(s: Record<string, unknown>, options: { alg?: string; payload?: Record<string, unknown>; contentType?: string } = {}) {
      const jws = Buffer.from(await new CompactSign(Buffer.from(JSON.stringify(options.payload ?? s))).setProtectedHeader({ alg: options.alg ?? 'RS256' }).sign(privateKey));
      const body = { ...s, attachments: [{ usageType: SIGNATURE, display: { 'en-US': 'Signature' }, contentType: options.contentType ?? 'application/octet-stream', length: jws.length, sha2: sha256(jws) }] };
      return multipart([{ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, attachmentPart(jws, options.contentType ?? 'application/octet-stream')]);
    }

    it('when a statement is signed with RS256 over itself, then it is stored', async () => {
      const s = statement();
      await send(await signed(s)).expect(200);
      await lrs(cred).get(`/statements${q({ statementId: s.id })}`).expect(200);
    });

    it('when the JWS payload is another statement, then 400 and nothing is stored', async () => {
      const s = statement();
      await send(await signed(s, { payload: { ...s, verb: { id: 'http://example.org/verbs/forged' } } })).expect(400);
      await lrs(cred).get(`/statements${q({ statementId: s.id })}`).expect(404);
    });

    it('when the signature attachment is not application/octet-stream, then 400', async () => {
      await send(await signed(statement(), { contentType: 'text/plain' })).expect(400);
    });

    it('when the JWS is not a JWS, then 400', async () => {
      const s = statement();
      const junk = Buffer.from('not.a.jws!');
      const body = { ...s, attachments: [{ usageType: SIGNATURE, display: { 'en-US': 'Signature' }, contentType: 'application/octet-stream', length: junk.length, sha2: sha256(junk) }] };
      await send(multipart([{ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, attachmentPart(junk, 'application/octet-stream')])).expect(400);
    });

    it('when the JWS uses HS256, then 400', async () => {
      const s = statement();
      const secret = crypto.randomBytes(32);
      const jws = Buffer.from(await new CompactSign(Buffer.from(JSON.stringify(s))).setProtectedHeader({ alg: 'HS256' }).sign(secret));
      const body = { ...s, attachments: [{ usageType: SIGNATURE, display: { 'en-US': 'Signature' }, contentType: 'application/octet-stream', length: jws.length, sha2: sha256(jws) }] };
      await send(multipart([{ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, attachmentPart(jws, 'application/octet-stream')])).expect(400);
    });
  });
});
