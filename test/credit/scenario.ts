/**
 * Builds credit scenarios for tests from flat options: every row of a table states only what it is about.
 * Defaults: a live activity designated for 2 AMA PRA Category 1 credits, a physician attesting 60 minutes.
 */
export interface ScenarioOptions {
  format?: string;
  designations?: unknown[];
  moc?: unknown[];
  passMark?: number | null;
  evaluationRequired?: boolean;
  profession?: string;
  boards?: string[];
  minutes?: number;
  postTestScore?: number | null;
  evaluationCompleted?: boolean;
  attestedMinutes?: number;
}

export const UAN = {
  pharmacistJa: 'JA0006235-9999-25-076-L01-P',
  technicianJa: 'JA0006235-9999-25-076-L01-T',
  pharmacist: '0129-0000-25-001-H01-P',
  technician: '0129-0000-25-001-H01-T',
} as const;

export const AMA = (max = 2) => ({ type: 'AMA_PRA_1', max });
export const ANCC = (max = 2) => ({ type: 'ANCC', max });
export const AAPA = (max = 2) => ({ type: 'AAPA_1', max });
export const IPCE = (max = 2) => ({ type: 'IPCE', max });
export const ACPE = (uan: string, max = 2) => ({ type: 'ACPE', max, uan });

export function scenario(options: ScenarioOptions = {}): Record<string, unknown> {
  const activity: Record<string, unknown> = {
    format: options.format ?? 'live',
    designations: options.designations ?? [AMA()],
  };
  if (options.moc !== undefined) activity.moc = options.moc;
  if (options.passMark !== undefined) activity.passMark = options.passMark;
  if (options.evaluationRequired !== undefined) activity.evaluationRequired = options.evaluationRequired;
  const learner: Record<string, unknown> = { profession: options.profession ?? 'physician' };
  if (options.boards !== undefined) learner.boards = options.boards;
  const evidence: Record<string, unknown> = {};
  if (options.minutes !== undefined) evidence.minutes = options.minutes;
  if (options.postTestScore !== undefined) evidence.postTestScore = options.postTestScore;
  if (options.evaluationCompleted !== undefined) evidence.evaluationCompleted = options.evaluationCompleted;
  return { activity, learner, evidence, attestedMinutes: options.attestedMinutes ?? 60 };
}
