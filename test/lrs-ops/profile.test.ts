/**
 * Accrue's xAPI Profile against what the learner path really emits: every statement built by
 * src/learning/statements.ts uses a verb, activity type and extensions that the profile (rendered for the
 * deployment's PUBLIC_URL) describes, and the profile is well formed per ADL xAPI Profiles 1.0 (Part 2).
 */
import { expect } from 'chai';
import * as built from '../../src/learning/statements';
import { renderProfile } from '../../src/lrs/profile';

const PUBLIC_URL = 'https://cme.example.edu';

interface Concept { id: string; type: string; inScheme: string; prefLabel: Record<string, string>; definition: Record<string, string>; inlineSchema?: string }
interface Template { id: string; verb: string; objectActivityType?: string; inScheme: string }

function emitted(): Record<string, unknown>[] {
  let n = 0;
  const c: built.StatementContext = {
    publicUrl: PUBLIC_URL, platform: { id: 'p1', issuer: 'https://lms.example.edu' }, learner: { sub: 'u1' },
    activity: { id: 'a1', title: 'Sepsis update' }, registration: '8f0c1f8e-8b9a-4d8e-9d6a-3c2f1e0d9b7a',
    course: { id: 'c1', title: 'Critical care' }, timestamp: new Date('2026-01-01T00:00:00Z'), newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  };
  return [
    built.launched(c), built.acknowledgedDisclosures(c), built.experienced(c, 1800),
    built.answered(c, { id: 'q1', prompt: 'Which?', options: ['a', 'b'], chosen: 1, correct: true }),
    built.answered(c, { id: 'q1', prompt: 'Which?', options: ['a', 'b'], chosen: 0, correct: false, pretest: true }),
    built.pretestAttempted(c, { scaled: 0.5, correct: 1, total: 2 }),
    built.posttestResult(c, { scaled: 0.8, correct: 4, total: 5, passed: true, attempt: 1, passMarkPct: 70 }),
    built.posttestResult(c, { scaled: 0.2, correct: 1, total: 5, passed: false, attempt: 2, passMarkPct: 70 }),
    built.evaluationCompleted(c), built.attested(c, { minutes: 45, textVersion: 'v1' }),
    built.earned(c, { creditType: 'AMA_PRA_CAT1', amount: 0.75, unit: 'hours' }),
  ] as Record<string, unknown>[];
}

describe('Accrue xAPI profile', () => {
  const profile = renderProfile(PUBLIC_URL) as { id: string; type: string; conformsTo: string; versions: { id: string }[]; concepts: Concept[]; templates: Template[] };
  const version = profile.versions[0]!.id;

  it('when the profile is rendered for a deployment, then it is a well-formed xAPI Profile under that PUBLIC_URL', () => {
    expect(profile.type).to.equal('Profile');
    expect(profile.conformsTo).to.equal('https://w3id.org/xapi/profiles#1.0');
    expect(profile.id).to.equal(`${PUBLIC_URL}/xapi/profile`);
    const ids = [...profile.concepts, ...profile.templates].map((x) => x.id);
    expect(new Set(ids).size, 'unique ids').to.equal(ids.length);
    for (const x of [...profile.concepts, ...profile.templates]) {
      expect(x.inScheme, x.id).to.equal(version);
      expect(x.id.startsWith(PUBLIC_URL), x.id).to.equal(true);
    }
    for (const c of profile.concepts) {
      expect(['Verb', 'ActivityType', 'ContextExtension', 'ResultExtension']).to.include(c.type);
      expect(c.prefLabel.en && c.definition.en, c.id).to.be.a('string');
      if (c.inlineSchema) expect(() => JSON.parse(c.inlineSchema!), c.id).to.not.throw();
    }
    expect(JSON.stringify(profile)).to.not.contain('accrue.example.org');
  });

  it('when the learner path builds its statements, then each verb, object activity type and extension is described by the profile', () => {
    const verbs = new Set(profile.templates.map((t) => t.verb));
    const extensions = new Set(profile.concepts.filter((c) => c.type.endsWith('Extension')).map((c) => c.id));
    const templateFor = (verb: string, type: unknown) => profile.templates.find((t) => t.verb === verb && (!t.objectActivityType || t.objectActivityType === type));
    for (const s of emitted()) {
      const verb = (s.verb as { id: string }).id;
      const object = s.object as { definition?: { type?: string } };
      expect(verbs.has(verb), `verb ${verb}`).to.equal(true);
      expect(templateFor(verb, object.definition?.type), `template for ${verb} on ${object.definition?.type}`).to.not.equal(undefined);
      const used = [
        ...Object.keys((s.context as { extensions?: object }).extensions ?? {}),
        ...Object.keys((s.result as { extensions?: object } | undefined)?.extensions ?? {}),
      ];
      for (const e of used) expect(extensions.has(e), `extension ${e}`).to.equal(true);
    }
  });

  it('when the pre-test is answered, then its statements carry the pre-test extension the profile describes, and the attempt has no success', () => {
    const pretest = `${PUBLIC_URL}/xapi/extensions/pretest`;
    const concept = profile.concepts.find((x) => x.id === pretest) as (Concept & { recommendedVerbs: string[] }) | undefined;
    expect(concept?.type).to.equal('ContextExtension');
    const [post, pre, attempt] = emitted().slice(3, 6) as { object: { id: string }; context: { extensions?: Record<string, unknown> }; result: Record<string, unknown>; verb: { id: string } }[];
    expect(pre!.object.id, 'the same question before and after').to.equal(post!.object.id);
    expect(pre!.context.extensions).to.deep.equal({ [pretest]: true });
    expect(post!.context.extensions ?? {}).to.not.have.property(pretest);
    expect(attempt!.verb.id).to.equal('http://adlnet.gov/expapi/verbs/attempted');
    expect(attempt!.result).to.not.have.property('success');
    expect(concept!.recommendedVerbs).to.include(attempt!.verb.id).and.include('http://adlnet.gov/expapi/verbs/answered');
  });

  it('when credit is earned, then its type and amount are result extensions of the earned verb in the profile', () => {
    const earned = profile.concepts.filter((c) => c.type === 'ResultExtension' && /credit-(type|amount)$/.test(c.id)) as (Concept & { recommendedVerbs: string[] })[];
    expect(earned).to.have.length(2);
    for (const c of earned) expect(c.recommendedVerbs).to.deep.equal(['http://id.tincanapi.com/verb/earned']);
  });
});
