/**
 * What the builder and the learner path may do with activities. A builder reaches only the activities of the
 * LMS course (platform + context) they launched from; a learner's launch is mapped to its activity by the
 * resource link's custom parameter `activity_id`, or by the placement recorded at the link's first launch.
 */
import { checkStatementElements, type MissingElement } from '../certificates';
import type { Queryable } from '../db';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import type { LaunchContext } from '../lti';
import type { DetailsInput } from './forms';
import type { DesignationInput, MocInput, RequirementsInput } from './credit-forms';
import {
  LINE_ITEM_SCORE_MAXIMUM, LINE_ITEM_TAG,
  type Activity, type CommercialSupport, type Content, type LearningFormat, type Person, type StatementKind,
} from './model';
import { certificateStatementsOf, type CertificateProvider } from './certificate-statements';
import { designationsFrozen, publishProblems, type Problem } from './rules';
import type { ActivityStore } from './store';

const SCOPE_LABELS: Record<string, string> = { AMA_PRA_1: 'AMA PRA Category 1', ANCC: 'ANCC', ACPE: 'ACPE', IPCE: 'IPCE', AAPA_1: 'AAPA', JA: 'Joint Accreditation', MOC: 'MOC' };

/** The statements box a missing element belongs to, so the builder page links to it. */
function fieldOf(m: MissingElement): string {
  if (m.creditType === 'JA' || m.element === 'joint accreditation statement') return 'statements-joint_accreditation';
  if (m.creditType === 'MOC') return 'statements-moc';
  if (m.element.startsWith('participation')) return 'statements-participation';
  if (['accreditation statement', 'provider name', 'joint provider'].includes(m.element)) return 'statements-accreditation';
  if (m.element === 'UAN' || m.element === 'activity type') return 'designations-ACPE_P-uan';
  return 'statements-designation';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ActivityService {
  constructor(private readonly store: ActivityStore, private readonly publicUrl: string, private readonly provider: CertificateProvider) {}

  /** The activity's statements as its certificates print them, per credit type. */
  certificateStatements(a: Activity) {
    return certificateStatementsOf(a, this.provider);
  }

  /**
   * Required certificate elements (cme-credit.md 1.8) the statements lack, as builder problems naming the element.
   * Only once the designations exist: before that, "designate at least one credit type" says what is missing.
   */
  statementProblems(a: Activity): Problem[] {
    if (a.designations.length === 0 && a.moc.length === 0) return [];
    return checkStatementElements(this.certificateStatements(a)).map((m) => ({ field: fieldOf(m), message: `Missing ${m.element} (${SCOPE_LABELS[m.creditType] ?? m.creditType}): ${m.message}` }));
  }

  private courseOf(launch: LaunchContext): string {
    if (!launch.context?.id) throw new ForbiddenError('The course builder needs a launch from inside a course.', 'NO_COURSE_CONTEXT');
    return launch.context.id;
  }

  /** The activity, if the builder's launch is from its course; otherwise 404 (another course's ids are not revealed). */
  async forBuilder(launch: LaunchContext, id: string): Promise<Activity> {
    const context = this.courseOf(launch);
    const a = await this.store.get(id);
    if (!a || a.platformId !== launch.platform.id || a.contextId !== context) throw new NotFoundError('There is no such activity in this course.', 'ACTIVITY_NOT_FOUND');
    return a;
  }

  list(launch: LaunchContext) {
    return this.store.listForContext(launch.platform.id, this.courseOf(launch));
  }

  async create(launch: LaunchContext, input: { title: string; learningFormat: LearningFormat }): Promise<Activity> {
    const id = await this.store.create({ platformId: launch.platform.id, contextId: this.courseOf(launch), createdBy: launch.user.sub, ...input });
    return (await this.store.get(id))!;
  }

  /**
   * A published activity keeps statements its certificates can be issued from: a change that would leave them
   * lacking a required element is refused (the problems are returned and nothing is saved), as publishing would be.
   */
  private refusedWhilePublished(a: Activity, changed: Partial<Activity>): Problem[] {
    return a.status === 'published' ? this.statementProblems({ ...a, ...changed }) : [];
  }

  async updateDetails(launch: LaunchContext, id: string, d: DetailsInput): Promise<Problem[]> {
    const a = await this.forBuilder(launch, id);
    const refused = this.refusedWhilePublished(a, { learningFormat: d.learningFormat });
    if (refused.length === 0) await this.store.updateDetails(id, d);
    return refused;
  }

  async replaceDisclosures(launch: LaunchContext, id: string, input: { people: Omit<Person, 'id'>[]; commercialSupport: CommercialSupport[] }) {
    await this.forBuilder(launch, id);
    await this.store.replaceDisclosures(id, input.people, input.commercialSupport);
  }

  async replaceCredit(launch: LaunchContext, id: string, input: { designations: DesignationInput[]; moc: MocInput[] }): Promise<Problem[]> {
    const a = await this.forBuilder(launch, id);
    // Frozen designations say so first (409); the store checks it again under the row lock.
    if (designationsFrozen(a)) throw new ConflictError('Learners have started this activity, so its credit designations are frozen (credit is designated in advance).', 'DESIGNATIONS_FROZEN');
    const refused = this.refusedWhilePublished(a, {
      designations: input.designations.map((d, i) => ({ ...d, id: `new-${i}` })), moc: input.moc.map((m, i) => ({ ...m, id: `new-${i}` })),
    });
    if (refused.length === 0) await this.store.replaceCredit(id, input.designations, input.moc);
    return refused;
  }

  async updateRequirements(launch: LaunchContext, id: string, r: RequirementsInput) {
    await this.forBuilder(launch, id);
    await this.store.updateRequirements(id, r);
  }

  async updateContent(launch: LaunchContext, id: string, c: Content) {
    await this.forBuilder(launch, id);
    await this.store.updateContent(id, c);
  }

  async saveStatements(launch: LaunchContext, id: string, texts: Partial<Record<StatementKind, string>>): Promise<Problem[]> {
    const a = await this.forBuilder(launch, id);
    const kinds = new Set([...a.statements.map((x) => x.kind), ...(Object.keys(texts) as StatementKind[])]);
    const statements = [...kinds].map((kind) => {
      const saved = a.statements.find((x) => x.kind === kind);
      return { kind, version: saved?.version ?? 0, text: texts[kind] ?? saved?.text ?? '' };
    });
    const refused = this.refusedWhilePublished(a, { statements });
    if (refused.length === 0) await this.store.saveStatements(id, texts, launch.user.sub);
    return refused;
  }

  /** Publishes when nothing is missing; otherwise returns the problems and leaves the activity as it was. */
  async publish(launch: LaunchContext, id: string): Promise<Problem[]> {
    const a = await this.forBuilder(launch, id);
    const problems = [...publishProblems(a), ...this.statementProblems(a)];
    if (problems.length === 0) await this.store.setStatus(id, 'published');
    return problems;
  }

  /** The content item a deep-linking response returns for an activity (LTI-DL 2.0 3.1, with an AGS line item). */
  contentItem(a: Pick<Activity, 'id' | 'title' | 'description'>) {
    return {
      type: 'ltiResourceLink' as const,
      title: a.title,
      ...(a.description ? { text: a.description.slice(0, 1000) } : {}),
      url: `${this.publicUrl}/lti/launch`,
      custom: { activity_id: a.id },
      lineItem: { scoreMaximum: LINE_ITEM_SCORE_MAXIMUM, label: a.title, resourceId: a.id, tag: LINE_ITEM_TAG },
    };
  }

  /**
   * The activity a resource-link launch opens, or null when the link was never placed with Accrue. The custom
   * parameter is signed by the platform, but an activity of another platform is never opened through it.
   */
  async forLaunch(launch: LaunchContext): Promise<Activity | null> {
    const rl = launch.resourceLink?.id;
    const custom = launch.custom.activity_id;
    let id: string | null = null;
    if (custom && UUID.test(custom)) {
      const a = await this.store.get(custom);
      if (a && a.platformId === launch.platform.id) {
        if (rl) await this.store.linkResource({ platformId: launch.platform.id, resourceLinkId: rl, deploymentId: launch.deploymentId, contextId: launch.context?.id, activityId: a.id });
        return a;
      }
    }
    if (rl) id = await this.store.activityForResourceLink(launch.platform.id, rl);
    return id ? this.store.get(id) : null;
  }

  get(id: string, q?: Queryable) {
    return this.store.get(id, q);
  }

  markLearnerStarted(q: Queryable, id: string) {
    return this.store.markLearnerStarted(q, id);
  }
}
