/**
 * Export progress as the page polls it (`/reports/progress/:id`, public/reports.js): the values a download published,
 * only to the user who started it, and answered from process memory, so a poll never waits for the database (on
 * embedded PGlite the export holds the single connection until its last row).
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { get } from '../helpers/cme';
import { harness } from '../helpers/harness';
import { physician } from '../helpers/learner-path';
import { claimant, course, db, getText, parseCsv } from './fixtures';

const progressId = () => `p${crypto.randomBytes(9).toString('hex')}`;
const poll = (id: string, token: string) => request(harness().accrue.url).get(`/reports/progress/${id}`).set('authorization', `Bearer ${token}`).set('accept', 'application/json');

/** Holds every connection of Accrue's pool (PGlite: its only one) in an open transaction until `release` is called. */
async function holdDatabase() {
  const { config, accrue } = harness();
  const connections = accrue.accrue.db.kind === 'embedded' ? 1 : config.dbPoolSize;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const entered: Promise<void>[] = [];
  const held: Promise<unknown>[] = [];
  for (let i = 0; i < connections; i++) {
    let enter!: () => void;
    entered.push(new Promise<void>((resolve) => (enter = resolve)));
    held.push(db().tx(async () => {
      enter();
      await gate;
    }));
  }
  await Promise.all(entered);
  return async () => {
    release();
    await Promise.all(held);
  };
}

describe('Reports: export progress', function () {
  this.timeout(60_000);

  it('when a registrar downloads a transcript with a progress id, then the poll reports it complete with the rows written; another user and a malformed id see nothing', async () => {
    const { contextId, instructor, activityId } = await course();
    const a = await claimant(activityId, contextId, physician, { name: 'Ada Lovelace' });
    await claimant(activityId, contextId, physician, { name: 'Grace Hopper' });
    const id = progressId();

    const before = await poll(id, instructor.token);
    expect(before.status).to.equal(200);
    expect(before.body).to.deep.equal({ status: 'unknown', done: 0, total: 0 });

    const file = await getText(`/reports/activities/${activityId}/transcript.csv?progress=${id}`, instructor.token);
    expect(file.status).to.equal(200);
    const claims = parseCsv(file.text).filter((r) => r[0] === 'claim').length;
    expect(claims).to.be.greaterThan(1);

    const after = await poll(id, instructor.token);
    expect(after.status).to.equal(200);
    expect(after.body).to.include({ status: 'complete', done: claims, total: claims, exportId: file.headers['x-accrue-export-id'] });
    // The page's links carry the token as ?s= too.
    expect((await get(`/reports/progress/${id}`, instructor.token)).body).to.include({ status: 'complete', done: claims });

    expect((await poll(id, a.token)).body, 'another user').to.deep.equal({ status: 'unknown', done: 0, total: 0 });
    expect((await poll('not valid!', instructor.token)).body).to.deep.equal({ status: 'unknown', done: 0, total: 0 });
    expect((await request(harness().accrue.url).get(`/reports/progress/${id}`)).status, 'no token').to.equal(401);
    expect((await poll(id, `${instructor.token.slice(0, -4)}AAAA`)).status, 'forged token').to.equal(401);
  });

  it('when every database connection is busy (as during an export on embedded PGlite), then the poll still answers with the progress so far', async () => {
    const { contextId, instructor, activityId } = await course();
    await claimant(activityId, contextId, physician, { name: 'Ada Lovelace' });
    const id = progressId();
    const file = await getText(`/reports/activities/${activityId}/transcript.csv?progress=${id}`, instructor.token);
    expect(file.status).to.equal(200);
    const claims = parseCsv(file.text).filter((r) => r[0] === 'claim').length;

    const release = await holdDatabase();
    try {
      // Before this poll read nothing from the database, it waited here until the connection was free.
      const busy = await poll(id, instructor.token);
      expect(busy.status).to.equal(200);
      expect(busy.body).to.include({ status: 'complete', done: claims, total: claims });
    } finally {
      await release();
    }
  });
});
