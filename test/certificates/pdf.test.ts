import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CODE_ALPHABET, CODE_BITS, createCertificateCore, normaliseCode, sampleContexts, TemplateError } from '../../src/certificates';
import { loadTemplate } from '../../src/certificates/template';
import { resolveSecret } from '../../src/secret';
import { harness } from '../helpers/harness';
import { agent, issue, launchedLearner, pageCount, parseBinary, pdfText, pharmacistInput, physicianInput, STATEMENTS } from './fixtures';

async function issuedPdf(input: ReturnType<typeof physicianInput>): Promise<{ pdf: Buffer; code: string }> {
  const learner = await launchedLearner();
  input.learner.platformId = learner.platformId;
  input.learner.sub = learner.sub;
  const issued = await issue(input);
  const res = await agent().get(`/learner/certificates/${issued.code}/pdf?s=${learner.token}`).buffer(true).parse(parseBinary);
  expect(res.status).to.equal(200);
  return { pdf: res.body as Buffer, code: issued.code };
}

function writeTemplate(source: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-template-')), 'certificate.hbs');
  fs.writeFileSync(file, source);
  return file;
}

const loadError = (source: string) => {
  try {
    loadTemplate({ file: writeTemplate(source), samples: sampleContexts() });
  } catch (err) {
    if (err instanceof TemplateError) return err.message;
    throw err;
  }
  return undefined;
};

describe('Certificates: the PDF and its template', () => {
  it('when a physician\'s certificate is issued, then the PDF is one page with the name, the format, the full credit mark, MOC, the statements and the code', async () => {
    const { pdf, code } = await issuedPdf(physicianInput({ name: 'Grace Mbeki, MD' }));
    expect(pdf.subarray(0, 8).toString('latin1')).to.equal('%PDF-1.4');
    expect(pdf.subarray(-6).toString('latin1')).to.equal('%%EOF\n');
    expect(pageCount(pdf)).to.equal(1);
    const text = pdfText(pdf).replace(/\s+/g, ' ');
    for (const expected of ['Grace Mbeki, MD', 'live activity', 'Sepsis Update: Recognition and Early Management', '1.5 AMA PRA Category 1 Credits™', '1.5 ABIM MOC points',
      'Riverside School of Medicine is accredited by the ACCME', 'Physicians should claim only the credit commensurate', code]) {
      expect(text, expected).to.contain(expected);
    }
  });

  it('when a pharmacist\'s certificate is issued, then it shows the UAN, the activity type, CEU, participation wording and the JA statement', async () => {
    const { pdf } = await issuedPdf(pharmacistInput());
    const text = pdfText(pdf).replace(/\s+/g, ' ');
    for (const expected of ['2 ACPE contact hours (0.2 CEU)', 'UAN JA0006235-9999-26-014-L01-P', 'Knowledge-based activity', '2 IPCE credits',
      'This activity was designated for 2 AMA PRA Category 1 Credits™', STATEMENTS.ja.slice(0, 60)]) {
      expect(text, expected).to.contain(expected);
    }
  });

  it('when the statements are very long, then the certificate still fits on one page', async () => {
    const input = physicianInput();
    input.activity.statements.other = Array.from({ length: 6 }, (_, i) => `Disclosure ${i + 1}: ${'Faculty and planners reported no relevant financial relationships with ineligible companies. '.repeat(6)}`);
    const { pdf } = await issuedPdf(input);
    expect(pageCount(pdf)).to.equal(1);
    expect(pdfText(pdf).replace(/\s+/g, ' ')).to.contain('Disclosure 6:');
  });

  it('when a name has letters outside the PDF fonts, then the PDF transliterates them while the verification page keeps the exact name', async () => {
    const input = physicianInput({ name: 'Łucja Wąsowska-Nguyễn' });
    const { pdf, code } = await issuedPdf(input);
    expect(pdfText(pdf)).to.contain('Lucja Wasowska-Nguyen');
    expect((await agent().get(`/verify/${code}`).set('Accept', 'application/json')).body.learnerName).to.equal('Łucja Wąsowska-Nguyễn');
  });

  it('when a name or statement contains markup, then it prints as text and adds no element', async () => {
    const input = physicianInput({ name: '<h1>Eve</h1> <img data-qr> & Co' });
    const { pdf } = await issuedPdf(input);
    expect(pdfText(pdf)).to.contain('<h1>Eve</h1> <img data-qr> & Co');
  });

  it('when a template uses a tag outside the subset, then it is refused when it loads, naming the line and the tag', () => {
    const source = fs.readFileSync(path.resolve(__dirname, '../../views/certificates/certificate.hbs'), 'utf8').replace('<p>This certifies that</p>', '<div class="x">This certifies that</div>');
    const line = source.split('\n').findIndex((l) => l.includes('<div')) + 1;
    expect(loadError(source)).to.match(new RegExp(`line ${line}: <div> is not allowed in a certificate template \\(allowed: <page> <h1>`));
  });

  it('when a template has unescaped output, an unknown attribute, a bad value, no QR code or unbalanced tags, then each is refused with a clear message', () => {
    expect(loadError('<h1>{{{learner.name}}}</h1><img data-qr>')).to.match(/line 1: unescaped output/);
    expect(loadError('<p style="color:red">x</p><img data-qr>')).to.match(/<p> does not take the attribute "style" \(it takes: align\)/);
    expect(loadError('<p align="middle">x</p><img data-qr>')).to.match(/<p align="middle"> has a value it does not take/);
    expect(loadError('<h1>{{learner.name}}</h1>')).to.match(/the template has no <img data-qr>/);
    expect(loadError('<p><strong>{{learner.name}}</p><img data-qr>')).to.match(/<strong> is not closed before <\/p>/);
    expect(loadError('<p>{{#each awards}}</p>')).to.match(/Parse error|Expecting/);
  });

  it('when the office changes the template, then new certificates follow it and record which template made them', async () => {
    const { accrue } = harness();
    const file = writeTemplate('<page border="none"><h1>Attestation for {{learner.name}}</h1>{{#each awards}}<p>{{line}}</p>{{/each}}<img data-qr size="48" align="right"><p><small>{{code}}</small></p></page>');
    const core = await createCertificateCore({ db: accrue.accrue.db, config: accrue.accrue.config, secret: await resolveSecret(accrue.accrue.db, accrue.accrue.config), templateFile: file });
    const input = physicianInput({ name: 'Ada Okafor' });
    const issued = await accrue.accrue.db.tx((q) => core.service.issue(q, input));
    const row = (await accrue.accrue.db.query<{ pdf: Buffer; template_sha256: string }>('SELECT pdf, template_sha256 FROM certificate WHERE code = $1', [normaliseCode(issued.code)])).rows[0]!;
    expect(row.template_sha256).to.equal(core.template.sha256).and.not.equal(accrue.accrue.certificates.template.sha256);
    expect(pdfText(row.pdf)).to.contain('Attestation for Ada Okafor');
  });

  it('when codes are made, then they use 32 unambiguous symbols, at least 60 bits, and read back in any case', async () => {
    expect(CODE_ALPHABET).to.have.length(32);
    expect(CODE_ALPHABET).to.not.match(/[01IO]/);
    expect(CODE_BITS).to.be.at.least(60);
    const codes = new Set<string>();
    for (let i = 0; i < 20; i++) codes.add((await issue(physicianInput())).code);
    expect(codes.size).to.equal(20);
    for (const code of codes) expect(normaliseCode(code.toLowerCase().replace(/-/g, ' '))).to.equal(code.replace(/-/g, ''));
    expect(normaliseCode('OOOOO-IIIII-11111')).to.equal(undefined);
  });
});
