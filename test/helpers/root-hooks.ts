/** Mocha root hooks: one Accrue + one test LMS for the whole run (ltijs and the database are costly to start). */
import { startHarness, stopHarness } from './harness';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    await startHarness();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await stopHarness();
  },
};
