/**
 * Statements for bench:lrs: about 1.5 KB each, with the variety of a real CE provider's LRS: 10,000 learners,
 * 50 verbs (skewed: a few verbs are most statements), 5,000 activities in 100 courses, context activities (parent
 * module, grouping course, category profile), registration, result with score/duration/extensions.
 */
import crypto from 'node:crypto';

export const AGENTS = 10_000;
export const VERBS = 50;
export const ACTIVITIES = 5_000;
export const COURSES = 100;

export const agentOf = (i: number) => ({ objectType: 'Agent', name: `Learner ${i}`, account: { homePage: 'https://lms.bench.example.org', name: `learner-${i}` } });
export const verbOf = (i: number) => `https://bench.example.org/xapi/verbs/verb-${i}`;
export const activityOf = (i: number) => `https://bench.example.org/activities/${i}`;
export const courseOf = (activity: number) => `https://bench.example.org/courses/${activity % COURSES}`;

const FILLER = 'Continuing education on sepsis recognition, antimicrobial stewardship and escalation of care in acute settings. ';

/** A skewed pick in [0, n): the first values are much more likely (about Zipf with s = 1). */
function skewed(n: number, r: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(r * Math.log(n + 1)) - 1));
}

export function makeStatement(seed: number, rand: () => number = Math.random): Record<string, unknown> {
  const agent = Math.floor(rand() * AGENTS);
  const verb = skewed(VERBS, rand());
  const act = Math.floor(rand() * ACTIVITIES);
  return {
    id: crypto.randomUUID(),
    actor: agentOf(agent),
    verb: { id: verbOf(verb), display: { 'en-US': `verb ${verb}` } },
    object: {
      objectType: 'Activity', id: activityOf(act),
      definition: {
        type: 'http://adlnet.gov/expapi/activities/module', name: { 'en-US': `Module ${act}` },
        description: { 'en-US': FILLER.repeat(4).slice(0, 380) },
      },
    },
    result: {
      score: { scaled: Math.round(rand() * 100) / 100, raw: Math.floor(rand() * 20), min: 0, max: 20 },
      success: rand() > 0.2, completion: true, duration: `PT${Math.floor(rand() * 3600)}S`,
      extensions: { 'https://bench.example.org/xapi/extensions/attempt': 1 + (seed % 3), 'https://bench.example.org/xapi/extensions/device': 'desktop' },
    },
    context: {
      registration: crypto.randomUUID(),
      contextActivities: {
        parent: [{ objectType: 'Activity', id: `${activityOf(act)}/parent` }],
        grouping: [{ objectType: 'Activity', id: courseOf(act), definition: { type: 'http://adlnet.gov/expapi/activities/course', name: { 'en-US': `Course ${act % COURSES}` } } }],
        category: [{ objectType: 'Activity', id: 'https://bench.example.org/profiles/cme' }],
      },
      platform: 'Bench LMS', language: 'en-US',
      extensions: { 'https://bench.example.org/xapi/extensions/session': crypto.randomUUID() },
    },
    timestamp: new Date(Date.now() - Math.floor(rand() * 86_400_000 * 30)).toISOString(),
  };
}
