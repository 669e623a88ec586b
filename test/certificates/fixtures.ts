/**
 * Certificate scenarios for the tests: each call makes a new learner and activity (unique ids), so tests never
 * share data. Statements are examples written for the tests, not any accreditor's official wording.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import type { CertificateInput } from '../../src/certificates';
import { harness } from '../helpers/harness';
import { launch, learner } from '../helpers/launch';

export const PROVIDER = 'Riverside School of Medicine';

export const STATEMENTS = {
  accreditation: `${PROVIDER} is accredited by the ACCME to provide continuing medical education for physicians.`,
  ama: (max: number) => `${PROVIDER} designates this live activity for a maximum of ${max} AMA PRA Category 1 Credits™. Physicians should claim only the credit commensurate with the extent of their participation in the activity.`,
  ancc: (max: number) => `This activity awards ${max} ANCC contact hours.`,
  acpe: (max: number) => `This knowledge-based activity is approved for ${max} contact hours of ACPE credit.`,
  ipce: (max: number) => `This activity was planned by and for the healthcare team; learners receive ${max} IPCE credits for learning and change.`,
  ja: `In support of improving patient care, ${PROVIDER} is jointly accredited by the ACCME, the ACPE and the ANCC to provide continuing education for the healthcare team.`,
  abim: (points: number) => `Completing this activity, evaluation included, earns up to ${points} ABIM MOC points.`,
};

export const UAN_P = 'JA0006235-9999-26-014-L01-P';

/** A physician who earned 1.5 AMA credits and 1.5 ABIM MOC points; every field can be overridden. */
export function physicianInput(options: { platformId?: string; sub?: string; name?: string } = {}): CertificateInput {
  const id = crypto.randomUUID();
  return {
    learner: { name: options.name ?? 'Ada Okafor, MD', platformId: options.platformId ?? `platform-${id}`, sub: options.sub ?? `learner-${id}`, profession: 'physician' },
    activity: {
      id: `activity-${id}`,
      title: 'Sepsis Update: Recognition and Early Management',
      formatLabel: 'live activity',
      startDate: '2026-03-01',
      provider: { name: PROVIDER, url: 'https://cme.riverside.example.edu', jointlyAccredited: false },
      statements: {
        accreditation: STATEMENTS.accreditation,
        designations: [{ type: 'AMA_PRA_1', max: 1.5, statement: STATEMENTS.ama(1.5) }],
        moc: [{ board: 'ABIM', points: 1.5, statement: STATEMENTS.abim(1.5) }],
      },
    },
    awards: [{ type: 'AMA_PRA_1', amount: 1.5, unit: 'credit' }],
    moc: [{ board: 'ABIM', points: 1.5 }],
    postTest: { score: 0.85, passMark: 0.7 },
    evidenceStatementIds: [crypto.randomUUID(), crypto.randomUUID()],
    completionDate: '2026-03-01',
  };
}

/** A pharmacist at a jointly accredited provider: ACPE (UAN, activity type, CEU) and IPCE credit. */
export function pharmacistInput(options: { platformId?: string; sub?: string } = {}): CertificateInput {
  const id = crypto.randomUUID();
  return {
    learner: { name: 'Ben Ortiz, PharmD', platformId: options.platformId ?? `platform-${id}`, sub: options.sub ?? `learner-${id}`, profession: 'pharmacist' },
    activity: {
      id: `activity-${id}`,
      title: 'Anticoagulation Stewardship',
      formatLabel: 'live activity',
      startDate: '2026-04-10',
      endDate: '2026-04-11',
      provider: { name: PROVIDER, url: 'https://cme.riverside.example.edu', jointlyAccredited: true },
      statements: {
        jointAccreditation: STATEMENTS.ja,
        designations: [
          { type: 'AMA_PRA_1', max: 2, statement: STATEMENTS.ama(2) },
          { type: 'ACPE', max: 2, statement: STATEMENTS.acpe(2), uan: UAN_P, acpeActivityType: 'knowledge' },
          { type: 'IPCE', max: 2, statement: STATEMENTS.ipce(2) },
        ],
      },
    },
    awards: [
      { type: 'ACPE', amount: 2, unit: 'contact-hour', ceu: 0.2 },
      { type: 'IPCE', amount: 2, unit: 'credit' },
    ],
    participation: [{ type: 'AMA_PRA_1', designated: 2 }],
    postTest: { score: 0.9, passMark: 0.7 },
    evidenceStatementIds: [crypto.randomUUID()],
    completionDate: '2026-04-11',
  };
}

/** Issues a certificate through the running instance's issue API, in its own transaction. */
export async function issue(input: CertificateInput) {
  const { accrue } = harness();
  return accrue.accrue.db.tx((q) => accrue.accrue.certificates.issue(q, input));
}

/** A learner who launched from the test LMS: their session token, and a certificate input naming them. */
export async function launchedLearner(options: { roles?: string[]; name?: string } = {}) {
  const { accrue, lms } = harness();
  const scenario = learner({ name: options.name ?? 'Ada Okafor', ...(options.roles ? { roles: options.roles } : {}) });
  const { token } = await launch(accrue.url, lms.platform, scenario);
  if (!token) throw new Error('launch gave no session token');
  return { token, platformId: lms.id, sub: scenario.sub };
}

export function agent() {
  return request(harness().accrue.url);
}

/** A supertest parser that keeps any body as raw bytes: `.buffer(true).parse(parseBinary)`. */
export const parseBinary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

/** The page count a PDF declares in its page tree. */
export function pageCount(pdf: Buffer): number {
  const counts = [...pdf.toString('latin1').matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)/g)].map((m) => Number(m[1]));
  return counts.length === 1 ? counts[0]! : -1;
}

let hasPdftotext: boolean | undefined;

/**
 * The text of a PDF: with pdftotext (poppler) when installed, else from the content streams themselves (inflated,
 * the strings of Tj operators, WinAnsi decoded), which is what any reader extracts from this writer's output.
 */
export function pdfText(pdf: Buffer): string {
  if (hasPdftotext === undefined && process.env.TEST_WITHOUT_PDFTOTEXT) hasPdftotext = false;
  if (hasPdftotext === undefined) {
    try {
      execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
      hasPdftotext = true;
    } catch {
      hasPdftotext = false;
    }
  }
  if (hasPdftotext) return execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8');
  const text: string[] = [];
  const latin = pdf.toString('latin1');
  for (const m of latin.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const end = latin.indexOf('endstream', start);
    let content: string;
    try {
      content = zlib.inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue;
    }
    for (const s of content.matchAll(/\(((?:\\.|[^\\)])*)\)\s*Tj/g)) {
      text.push(s[1]!.replace(/\\([0-7]{3}|.)/g, (_x, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : e)));
    }
  }
  // WinAnsi 0x99 is the trademark sign; the other codes the tests look for are Latin-1.
  return text.join(' ').replace(/\x99/g, '™');
}
