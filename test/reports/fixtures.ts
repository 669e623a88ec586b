/**
 * Scenarios for report tests, built over HTTP: an instructor's course with a published activity, learners who walk
 * the path to a claim (or stop after launching), and the services' own PII cipher for what the profile form does
 * not ask of a physician (the birth month and day PARS needs).
 */
import { expect } from 'chai';
import { PiiCipher } from '../../src/learning';
import { resolveSecret } from '../../src/secret';
import { buildActivity, get, instructorIn, post, uniq, type ActivitySpec } from '../helpers/cme';
import { harness } from '../helpers/harness';
import { answersAllCorrect, enrollmentOf, evaluation, posttestOf, redirectOf, spendMinutes, startPath } from '../helpers/learner-path';

export const db = () => harness().accrue.accrue.db;

export async function course(spec: ActivitySpec = {}) {
  const contextId = uniq('course');
  const instructor = await instructorIn(contextId);
  const activityId = await buildActivity(instructor.token, spec);
  return { contextId, instructor, activityId };
}

/** A learner who walks the whole path and claims; `minutes` of measured and attested time. */
export async function claimant(activityId: string, contextId: string, profile: Record<string, unknown>, o: { minutes?: number; name?: string; evaluation?: Record<string, string> } = {}) {
  const minutes = o.minutes ?? 30;
  const l = await startPath(activityId, profile, { contextId, name: o.name ?? 'Lee Learner' });
  let token = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' })).token;
  await spendMinutes(token, activityId, l.sub, minutes);
  let next = redirectOf(await post('/learner/content', { s: token }));
  if (next.path === '/learner/posttest') next = redirectOf(await post('/learner/posttest', { s: next.token, ...answersAllCorrect(await posttestOf(activityId)) }));
  if (next.path === '/learner/evaluation') next = redirectOf(await post('/learner/evaluation', { s: next.token, ...(o.evaluation ?? evaluation) }));
  token = redirectOf(await post('/learner/attestation', { s: next.token, minutes: String(minutes), attest: 'on' })).token;
  const done = redirectOf(await post('/learner/claim', { s: token }));
  expect(done.path).to.equal('/learner/done');
  return { sub: l.sub, token: done.token, enrollmentId: (await enrollmentOf(activityId, l.sub)).id };
}

/** Sets a learner's protected ids (NABP id, birth month/day) with the application's own cipher, as the profile service does. */
export async function setProtected(sub: string, ids: { nabpEprofileId: string; birthMonth: number; birthDay: number }) {
  const { accrue, lms, config } = harness();
  const cipher = new PiiCipher(await resolveSecret(accrue.accrue.db, config));
  await db().query('UPDATE learner_profile SET protected = $3 WHERE platform_id = $1 AND sub = $2', [lms.id, sub, cipher.encrypt(ids, { platformId: lms.id, sub })]);
}

export async function claimIds(enrollmentId: string) {
  return (await db().query<{ id: string; credit_type: string }>('SELECT id, credit_type FROM credit_claim WHERE enrollment_id = $1 ORDER BY credit_type', [enrollmentId])).rows;
}

/** Parses a CSV we wrote (RFC 4180) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

export const getText = async (path: string, token: string) => {
  const res = await get(path, token).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  return { status: res.status, headers: res.headers, body: res.body as Buffer, text: (res.body as Buffer).toString('utf8') };
};
