/** The builder's summary of an activity: each section with what is filled in, and what still stops publishing (pure). */
import { CREDIT_LABELS, FORMAT_LABELS, hasPretest, statementOf, type Activity } from './model';
import { publishProblems } from './rules';

export function overviewOf(a: Activity) {
  const problems = publishProblems(a);
  const credit = a.designations.map((d) => `${CREDIT_LABELS[d.creditType]}${d.acpe ? ` (${d.acpe.audience}, UAN ${d.acpe.uan})` : ''}: up to ${d.maxAmount}`);
  const moc = a.moc.map((m) => `${m.board} MOC: up to ${m.maxPoints} points${m.partialAllowed ? '' : ' (all or nothing)'}`);
  return {
    formatLabel: FORMAT_LABELS[a.learningFormat],
    published: a.status === 'published',
    frozen: a.learnerStartedAt !== null,
    problems,
    sections: [
      { key: 'details', title: 'Details', summary: `${FORMAT_LABELS[a.learningFormat]}; ${a.objectives.length} objective(s)` },
      { key: 'disclosures', title: 'People and disclosures', summary: `${a.people.length} person(s); ${a.commercialSupport.length} commercial supporter(s)` },
      { key: 'credit', title: 'Credit and MOC', summary: [...credit, ...moc].join('; ') || 'No credit designated yet' },
      {
        key: 'requirements', title: 'Requirements',
        summary: `${a.posttest.length} post-test question(s)${a.passMarkPct !== null ? `, pass mark ${a.passMarkPct}%` : ''}${hasPretest(a) ? '; the same questions as a pre-test before the content' : ''}; evaluation ${a.requiresEvaluation ? 'required' : 'not required'}; minimum ${a.minMinutes} minute(s)`,
      },
      { key: 'content', title: 'Content', summary: { none: 'None yet', url: 'External activity', embed: 'Embedded video or page', text: 'Text' }[a.content.kind] },
      {
        key: 'statements', title: 'Statements',
        summary: a.statements.filter((s) => s.text.trim()).map((s) => `${s.kind} (version ${s.version})`).join(', ') || 'None typed yet',
      },
    ],
    accreditation: statementOf(a, 'accreditation')?.text ?? '',
  };
}
