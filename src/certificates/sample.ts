/**
 * A sample certificate (no I/O): what a template is tried with when it loads, and what `certificate template-check`
 * prints. It exercises every part of the context: several credit types, ACPE details, participation, MOC, the JA
 * statement. The statements are examples, not any accreditor's official wording.
 */
import type { CertificateInput } from './model';

export const SAMPLE_INPUT: CertificateInput = {
  learner: { name: 'Sample Learner, MD', platformId: 'sample-platform', sub: 'sample-learner', profession: 'physician' },
  activity: {
    id: 'sample-activity',
    title: 'Sepsis Update: Recognition and Early Management',
    formatLabel: 'live activity',
    startDate: '2026-03-01',
    endDate: '2026-03-01',
    provider: { name: 'Example School of Medicine', url: 'https://cme.example.edu', jointlyAccredited: true, jointProviders: [] },
    statements: {
      jointAccreditation:
        'In support of improving patient care, Example School of Medicine is jointly accredited by the Accreditation Council for Continuing Medical Education (ACCME), the Accreditation Council for Pharmacy Education (ACPE), and the American Nurses Credentialing Center (ANCC), to provide continuing education for the healthcare team.',
      designations: [
        {
          type: 'AMA_PRA_1', max: 1.5,
          statement: 'Example School of Medicine designates this live activity for a maximum of 1.5 AMA PRA Category 1 Credits™. Physicians should claim only the credit commensurate with the extent of their participation in the activity.',
        },
        { type: 'ANCC', max: 1.5, statement: 'This activity is approved for 1.5 ANCC contact hours.' },
        {
          type: 'ACPE', max: 1.5, uan: 'JA0006235-9999-26-001-L01-P', acpeActivityType: 'knowledge',
          statement: 'This knowledge-based activity is approved for 1.5 contact hours (0.15 CEU) of ACPE credit.',
        },
        { type: 'IPCE', max: 1.5, statement: 'This activity was planned by and for the healthcare team, and learners will receive 1.5 IPCE credits for learning and change.' },
      ],
      moc: [{
        board: 'ABIM', points: 1.5,
        statement: 'Successful completion of this activity, which includes participation in the evaluation component, enables the participant to earn up to 1.5 ABIM MOC points in the medical knowledge MOC program.',
      }],
      other: [],
    },
  },
  awards: [
    { type: 'AMA_PRA_1', amount: 1.5, unit: 'credit' },
    { type: 'IPCE', amount: 1.5, unit: 'credit' },
  ],
  participation: [],
  moc: [{ board: 'ABIM', points: 1.5 }],
  postTest: { score: 0.85, passMark: 0.7 },
  evidenceStatementIds: ['6f1c2a3e-8d4b-4c5a-9e7f-0a1b2c3d4e5f'],
  completionDate: '2026-03-02',
};

/** The same activity for a nurse: ANCC and IPCE credit, and participation in the AMA-designated activity. */
export const SAMPLE_NURSE_INPUT: CertificateInput = {
  ...SAMPLE_INPUT,
  learner: { name: 'Sample Learner, RN', platformId: 'sample-platform', sub: 'sample-nurse', profession: 'nurse' },
  awards: [
    { type: 'ANCC', amount: 1.5, unit: 'contact-hour' },
    { type: 'IPCE', amount: 1.5, unit: 'credit' },
  ],
  participation: [{ type: 'AMA_PRA_1', designated: 1.5 }],
  moc: [],
};
