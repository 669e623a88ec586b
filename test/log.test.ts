import { expect } from 'chai';
import { createLogger, redact, type LogLevel } from '../src/log';

function capture(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const log = createLogger({ level, write: (l) => lines.push(l) });
  return { log, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const SENSITIVE = {
  token: 'tok-123', id_token: 'eyJhbGciOiJSUzI1NiJ9.payload.sig', sessionToken: 'sess-456', ltik: 'ltik-789',
  authorization: 'Bearer abc.def.ghi', cookie: 'lti_login_x=binding', clientSecret: 'shh', password: 'hunter2',
  privateKey: '-----BEGIN RSA PRIVATE KEY-----', nonce: 'nonce-1', state: 'state-1',
  nabpEProfileId: '1234567', nabp_id: '7654321', dateOfBirth: '1970-01-31', dob: '0131', birth_date: '1970-01-31',
  email: 'lee@example.edu', emailAddress: 'ada@example.edu',
};

describe('Logging (src/log.ts)', () => {
  it('when a log line carries secrets, tokens, NABP ids, birth dates or emails, then their values never reach the output', () => {
    const { log, lines, entries } = capture();
    log.info('launch accepted', { ...SENSITIVE, platform: 'Canvas', kid: 'key-1' });
    expect(lines).to.have.length(1);
    for (const value of Object.values(SENSITIVE)) expect(lines[0]).to.not.contain(value);
    const entry = entries()[0]!;
    for (const key of Object.keys(SENSITIVE)) expect(entry[key], key).to.equal('[redacted]');
    // What support needs to read stays: the message, the level, the platform, a key id.
    expect(entry).to.include({ msg: 'launch accepted', level: 'info', platform: 'Canvas', kid: 'key-1' });
    expect(Date.parse(String(entry.time))).to.be.a('number').and.not.NaN;
  });

  it('when the personal data is nested in objects and arrays, then it is redacted at every depth', () => {
    const { log, lines, entries } = capture();
    log.warn('claim refused', {
      learner: { name: 'Ada Learner', profile: { email: 'ada@example.edu', nabp: { eProfileId: '1122334' }, birthDate: '1980-02-29' } },
      attendees: [{ contactEmail: 'bo@example.edu' }, [{ dateOfBirth: '1990-12-01' }]],
      deep: { a: { b: { c: { d: { e: { f: { token: 'very-deep-token' } } } } } } },
    });
    for (const value of ['ada@example.edu', '1122334', '1980-02-29', 'bo@example.edu', '1990-12-01', 'very-deep-token']) {
      expect(lines[0]).to.not.contain(value);
    }
    const learner = entries()[0]!.learner as { name: string; profile: Record<string, unknown> };
    expect(learner.name).to.equal('Ada Learner');
    expect(learner.profile).to.deep.equal({ email: '[redacted]', nabp: '[redacted]', birthDate: '[redacted]' });
  });

  it('when an email address or an xAPI mbox appears as a value under an innocent key, then it is masked too', () => {
    const { log, lines } = capture();
    log.error('statement rejected', {
      actor: { objectType: 'Agent', mbox: 'mailto:lee@example.edu', name: 'Lee' },
      reason: 'no account for carol.nurse+ce@hospital.example.org',
      recipients: ['dan@example.edu'],
    });
    for (const value of ['lee@example.edu', 'carol.nurse+ce@hospital.example.org', 'dan@example.edu']) expect(lines[0]).to.not.contain(value);
    expect(lines[0]).to.contain('"name":"Lee"').and.contain('no account for [email]');
  });

  it('when an error message or the log message itself names an email address, then it is masked', () => {
    const { log, lines } = capture();
    log.warn('mail to erin@example.edu bounced', { error: new Error('550 mailbox erin@example.edu unknown') });
    expect(lines[0]).to.not.contain('erin@example.edu');
    expect(JSON.parse(lines[0]!)).to.deep.include({ msg: 'mail to [email] bounced', error: { name: 'Error', message: '550 mailbox [email] unknown' } });
  });

  it('when a child logger carries base fields, then they are redacted like any other field', () => {
    const { log, lines } = capture();
    log.child({ sessionToken: 'child-secret', requestId: 'r-1' }).info('page served');
    expect(lines[0]).to.not.contain('child-secret');
    expect(JSON.parse(lines[0]!)).to.include({ requestId: 'r-1', sessionToken: '[redacted]' });
  });

  it('when an Error is logged, then only its name and message are kept (no stack)', () => {
    expect(redact({ error: new TypeError('bad input') })).to.deep.equal({ error: { name: 'TypeError', message: 'bad input' } });
  });

  it('when the level is higher than a line, then the line is not written; silent writes nothing', () => {
    const info = capture('info');
    info.log.debug('noise');
    info.log.info('kept');
    expect(info.entries().map((e) => e.msg)).to.deep.equal(['kept']);
    const silent = capture('silent');
    silent.log.error('nothing');
    expect(silent.lines).to.have.length(0);
  });
});
