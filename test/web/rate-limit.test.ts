/** The in-process rate limiter (GCRA) on an injected clock, and the client address it keys on. */
import { expect } from 'chai';
import type { Request } from 'express';
import { clientAddress, RateLimiter } from '../../src/web/rate-limit';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

describe('RateLimiter', () => {
  it('when a key makes `limit` events at once, then they pass and the next is refused with the wait until one is free', () => {
    const c = clock();
    const limiter = new RateLimiter({ limit: 3, windowMs: 60_000, now: c.now });
    for (let i = 0; i < 3; i++) expect(limiter.hit('a').allowed, `event ${i + 1}`).to.equal(true);
    expect(limiter.hit('a')).to.deep.equal({ allowed: false, retryAfterSeconds: 20 });
    expect(limiter.hit('b').allowed, 'another key has its own budget').to.equal(true);
  });

  it('when time passes, then the budget comes back one event per windowMs / limit, and a full window restores the burst', () => {
    const c = clock();
    const limiter = new RateLimiter({ limit: 3, windowMs: 60_000, now: c.now });
    for (let i = 0; i < 3; i++) limiter.hit('a');
    c.advance(19_999);
    expect(limiter.check('a')).to.deep.equal({ allowed: false, retryAfterSeconds: 1 });
    c.advance(1);
    expect(limiter.hit('a').allowed).to.equal(true);
    expect(limiter.hit('a').allowed).to.equal(false);
    c.advance(60_000);
    for (let i = 0; i < 3; i++) expect(limiter.hit('a').allowed).to.equal(true);
    expect(limiter.hit('a').allowed).to.equal(false);
  });

  it('when refused events keep coming, then they are not counted (a client cannot push its own wait further out)', () => {
    const c = clock();
    const limiter = new RateLimiter({ limit: 1, windowMs: 10_000, now: c.now });
    limiter.hit('a');
    for (let i = 0; i < 50; i++) expect(limiter.hit('a').allowed).to.equal(false);
    c.advance(10_000);
    expect(limiter.hit('a').allowed).to.equal(true);
  });

  it('when check is used, then nothing is counted; when undo is used, then one counted event is given back', () => {
    const c = clock();
    const limiter = new RateLimiter({ limit: 2, windowMs: 10_000, now: c.now });
    for (let i = 0; i < 5; i++) expect(limiter.check('a').allowed).to.equal(true);
    limiter.hit('a');
    limiter.hit('a');
    expect(limiter.check('a').allowed).to.equal(false);
    limiter.undo('a');
    expect(limiter.hit('a').allowed).to.equal(true);
    limiter.undo('a');
    limiter.undo('a');
    limiter.undo('a'); // more undos than hits: no credit beyond a fresh key
    expect(limiter.size).to.equal(0);
    expect(limiter.hit('a').allowed).to.equal(true);
    expect(limiter.hit('a').allowed).to.equal(true);
    expect(limiter.hit('a').allowed).to.equal(false);
  });

  it('when more keys than maxKeys are seen, then the table stays bounded, dropping recovered keys first, then the oldest', () => {
    const c = clock();
    const limiter = new RateLimiter({ limit: 1, windowMs: 1_000, maxKeys: 100, now: c.now });
    for (let i = 0; i < 100; i++) limiter.hit(`old-${i}`);
    c.advance(1_000); // all recovered
    for (let i = 0; i < 1_000; i++) limiter.hit(`new-${i}`);
    expect(limiter.size).to.be.at.most(100);
    expect(limiter.check('new-999').allowed, 'the newest key is still limited').to.equal(false);
  });
});

describe('clientAddress', () => {
  const req = (ip: string) => ({ ip, socket: {} }) as unknown as Request;
  const cases: [string, string][] = [
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:aa:1::1', '2001:db8:aa:1::/64'],
    ['2001:0db8:00aa:0001:ffff:ffff:ffff:fffe', '2001:db8:aa:1::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ];
  for (const [ip, key] of cases) {
    it(`when the request comes from ${ip}, then it counts as ${key}`, () => {
      expect(clientAddress(req(ip))).to.equal(key);
    });
  }
});
