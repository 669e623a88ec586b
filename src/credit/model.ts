/**
 * Credit vocabulary (no I/O): learning formats, credit types, professions, the credit-amount value object and
 * the shape of a computed result. The scenario's own types are inferred from its schema (./schema.ts).
 * Domain reference: /work/shared/domain/cme-credit.md sections 1 and 5.
 */

/** Learning formats, as ACCME PARS names activity types (cme-credit.md 1.1, 1.7 "Activity-level PARS data"). */
export const ACTIVITY_FORMATS = ['live', 'rss', 'enduring', 'journal', 'internet-live', 'internet-enduring', 'pi', 'other'] as const;
export type ActivityFormat = (typeof ACTIVITY_FORMATS)[number];

/** Credit types a designation may name (cme-credit.md 5, CreditDesignation.credit_type; ASWB not yet supported). */
export const CREDIT_TYPES = ['AMA_PRA_1', 'ANCC', 'ACPE', 'IPCE', 'AAPA_1'] as const;
export type CreditType = (typeof CREDIT_TYPES)[number];

export const PROFESSIONS = ['physician', 'nurse', 'pharmacist', 'pharmacy-technician', 'pa', 'other'] as const;
export type Profession = (typeof PROFESSIONS)[number];

/** How a profession is named inside a sentence ("a nurse", "a pharmacy technician"). */
export const PROFESSION_NOUNS: Record<Profession, string> = {
  physician: 'a physician',
  nurse: 'a nurse',
  pharmacist: 'a pharmacist',
  'pharmacy-technician': 'a pharmacy technician',
  pa: 'a physician assistant',
  other: 'a learner of another profession',
};

/** The unit printed beside an amount: AMA, AAPA and IPCE speak of credits, ANCC and ACPE of contact hours. */
export const CREDIT_UNITS = ['credit', 'contact-hour'] as const;
export type CreditUnit = (typeof CREDIT_UNITS)[number];

/** ACPE UAN audience letter: P = pharmacist, T = pharmacy technician (cme-credit.md 1.3). */
export type UanAudience = 'P' | 'T';

/**
 * How claimable time becomes an amount of hours (every method works on whole seconds, in integers):
 * - `nearest-quarter`: to the nearest 0.25 hour; a time exactly halfway (7 min 30 s past a quarter) goes up.
 *   AMA "round to the nearest quarter hour" (cme-credit.md 1.1), AAPA "rounded to nearest quarter hour" (1.5).
 * - `floor-quarter`: whole quarter hours only, never above the time spent (an ANCC alternative, 1.2 [U]).
 * - `floor-hundredth`: hours truncated to two decimals, never above the time spent (ANCC default, 1.2 [U]).
 */
export const ROUNDINGS = ['nearest-quarter', 'floor-quarter', 'floor-hundredth'] as const;
export type Rounding = (typeof ROUNDINGS)[number];

/** Who may receive one credit type, how its amount is rounded, and how it is printed. One row per credit type. */
export interface CreditRule {
  /** The credit's name in sentences, with its trademark where the accreditor requires one (cme-credit.md 1.1). */
  label: string;
  /** Professions that may receive it; `all` for interprofessional credit (IPCE). */
  professions: readonly Profession[] | 'all';
  /** For ACPE: the UAN audience letter each receiving profession needs (pharmacist P, technician T). */
  uanAudience?: Partial<Record<Profession, UanAudience>>;
  rounding: Rounding;
  unit: CreditUnit;
  /** ACPE: CEU per contact hour (0.1 CEU = 1 contact hour, cme-credit.md 1.3); absent = no CEU printed. */
  ceuPerHour?: number;
  /** AMA: professions that may not receive it get a certificate of participation (cme-credit.md 1.1, 1.8). */
  participationForOthers: boolean;
}

export type CreditRules = Readonly<Record<CreditType, CreditRule>>;

/**
 * An amount of credit, held in hundredths so that arithmetic is exact. Its invariants (architecture habit 7):
 * never negative, never NaN or fractional hundredths, never above the designated maximum.
 */
export class CreditAmount {
  private constructor(readonly hundredths: number, readonly maxHundredths: number) {}

  /** Throws RangeError when the invariants do not hold: that is a defect of the caller, never a learner's mistake. */
  static of(options: { hundredths: number; maxHundredths: number }): CreditAmount {
    const { hundredths, maxHundredths } = options;
    if (!Number.isSafeInteger(maxHundredths) || maxHundredths <= 0) throw new RangeError(`invalid designated maximum: ${maxHundredths} hundredths`);
    if (!Number.isSafeInteger(hundredths) || hundredths < 0) throw new RangeError(`invalid credit amount: ${hundredths} hundredths`);
    if (hundredths > maxHundredths) throw new RangeError(`credit amount ${hundredths} is above the designated maximum ${maxHundredths} (hundredths)`);
    return new CreditAmount(hundredths, maxHundredths);
  }

  /** The computed amount, lowered to the designated maximum when above it (the cap of every credit type). */
  static capped(options: { hundredths: number; maxHundredths: number }): CreditAmount {
    return CreditAmount.of({ hundredths: Math.min(options.hundredths, options.maxHundredths), maxHundredths: options.maxHundredths });
  }

  get value(): number {
    return this.hundredths / 100;
  }

  get isZero(): boolean {
    return this.hundredths === 0;
  }

  get isMaximum(): boolean {
    return this.hundredths === this.maxHundredths;
  }

  toJSON(): number {
    return this.value;
  }
}

/** An amount of credit awarded to the learner for one designation. */
export interface Award {
  type: CreditType;
  amount: number;
  unit: CreditUnit;
  /** ACPE only: continuing-education units, three decimals. */
  ceu?: number;
}

/** A certificate of participation: the learner's profession cannot receive the credit the activity is designated for. */
export interface Participation {
  type: CreditType;
  designated: number;
}

export interface MocPoints {
  board: string;
  points: number;
}

export interface CreditResult {
  eligible: boolean;
  /** Why the learner is not eligible, one English sentence per failed condition; empty when eligible. */
  reasons: string[];
  awards: Award[];
  participation: Participation[];
  moc: MocPoints[];
}
