import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { ACPE, AMA, ANCC, scenario, UAN } from './scenario';

const ROOT = path.resolve(__dirname, '..', '..');

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs a real command in the project folder with `stdin` piped in. */
function run(command: string, args: string[], options: { stdin: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin);
  });
}

const compute = (stdin: string, env?: NodeJS.ProcessEnv) => run('npx', ['tsx', 'src/cli/main.ts', 'credit', 'compute'], { stdin, env });

describe('CLI: credit compute', function () {
  this.timeout(60_000);

  it('when a valid scenario is piped in, then one line of JSON with the result is written and the exit code is 0', async () => {
    const input = scenario({
      designations: [AMA(2), ANCC(2)], moc: [{ board: 'ABIM', max: 2, partial: true }], passMark: 0.7, evaluationRequired: true,
      boards: ['ABIM'], minutes: 95, postTestScore: 0.8, evaluationCompleted: true, attestedMinutes: 100,
    });
    const { code, stdout, stderr } = await compute(JSON.stringify(input));
    expect(stderr).to.equal('');
    expect(code).to.equal(0);
    expect(stdout.endsWith('\n') && stdout.indexOf('\n') === stdout.length - 1, stdout).to.equal(true);
    expect(JSON.parse(stdout)).to.deep.equal({
      eligible: true, reasons: [], awards: [{ type: 'AMA_PRA_1', amount: 1.5, unit: 'credit' }], participation: [], moc: [{ board: 'ABIM', points: 1.5 }],
    });
  });

  it('when the learner is not eligible, then the result says why and the exit code is still 0', async () => {
    const { code, stdout } = await compute(JSON.stringify(scenario({ profession: 'pharmacist', designations: [ACPE(UAN.technicianJa)] })));
    expect(code).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal({
      eligible: false,
      reasons: [`A pharmacist cannot receive ACPE credit on UAN ${UAN.technicianJa}: its audience letter is T, and a pharmacist needs P.`],
      awards: [], participation: [], moc: [],
    });
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['an ACPE designation with a malformed UAN', JSON.stringify(scenario({ designations: [ACPE('JA123-9999-25-076-L01-P')] })),
      /^Invalid scenario: activity\.designations\[0\]\.uan: "JA123-9999-25-076-L01-P" is not an ACPE UAN/],
    ['an enduring activity without a pass mark', JSON.stringify(scenario({ format: 'enduring' })), /^Invalid scenario: activity\.passMark: is required for an enduring activity/],
    ['text that is not JSON', '{"activity": ', /^Invalid scenario: stdin is not valid JSON \(/],
    ['nothing', '', /^Invalid scenario: stdin is empty; pipe one JSON scenario, e\.g\.\n  echo '\{/],
    ['only white space', ' \n\t\n', /^Invalid scenario: stdin is empty/],
    ['two scenarios', `${JSON.stringify(scenario())}\n${JSON.stringify(scenario())}`, /^Invalid scenario: stdin is not valid JSON/],
    ['a scenario with three problems', JSON.stringify(scenario({ format: 'podcast', profession: 'dentist', attestedMinutes: -1 })),
      /^Invalid scenario: 3 problems\n {2}activity\.format: must be one of .*\n {2}learner\.profession: must be one of .*\n {2}attestedMinutes: must not be negative\n$/],
  ];
  for (const [what, stdin, message] of invalid) {
    it(`when stdin holds ${what}, then nothing is written to stdout, stderr explains it and the exit code is 2`, async () => {
      const { code, stdout, stderr } = await compute(stdin);
      expect(stdout).to.equal('');
      expect(stderr).to.match(message);
      expect(stderr).to.not.match(/\n\s+at /); // no stack trace
      expect(code).to.equal(2);
    });
  }

  it('when an argument is given, then it is refused with the usage line and exit code 2', async () => {
    const { code, stdout, stderr } = await run('npx', ['tsx', 'src/cli/main.ts', 'credit', 'compute', 'scenario.json'], { stdin: JSON.stringify(scenario()) });
    expect(stdout).to.equal('');
    expect(stderr).to.contain('unexpected argument "scenario.json"').and.contain('Usage: npm run accrue -- credit compute < scenario.json');
    expect(code).to.equal(2);
  });

  it('when the configured database cannot be reached, then the command still computes (it opens no database)', async () => {
    const { code, stdout, stderr } = await compute(JSON.stringify(scenario({ attestedMinutes: 90 })), { DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' });
    expect(stderr).to.equal('');
    expect(code).to.equal(0);
    expect(JSON.parse(stdout).awards).to.deep.equal([{ type: 'AMA_PRA_1', amount: 1.5, unit: 'credit' }]);
  });

  it('when run as `npm run -s accrue -- credit compute`, then stdout is the JSON result and nothing else', async () => {
    const input = scenario({ profession: 'pharmacy-technician', designations: [AMA(1), ACPE(UAN.technician, 1.5)], attestedMinutes: 90 });
    const { code, stdout, stderr } = await run('npm', ['run', '-s', 'accrue', '--', 'credit', 'compute'], { stdin: JSON.stringify(input) });
    expect(stderr).to.equal('');
    expect(code).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal({
      eligible: true, reasons: [], awards: [{ type: 'ACPE', amount: 1.5, unit: 'contact-hour', ceu: 0.15 }],
      participation: [{ type: 'AMA_PRA_1', designated: 1 }], moc: [],
    });
  });
});
