/**
 * Exact arithmetic of time and credit (no I/O). Time is counted in whole seconds and amounts in hundredths of an
 * hour, both integers, so no result depends on binary floating point: 0.1 × 1.5 h is 0.15 CEU, and 119.99999 minutes
 * never truncates to 1.99 hours by float error.
 */
import type { Rounding } from './model';

const SECONDS_PER_QUARTER = 900;
const SECONDS_PER_HUNDREDTH = 36;
const HUNDREDTHS_PER_QUARTER = 25;

/** a ÷ b for non-negative safe integers, rounded down, without a float quotient. */
function idiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/**
 * The whole seconds in a number of minutes, remainders below a second dropped (time not spent is never credited).
 * Minutes are first read to the millisecond, which absorbs binary noise such as 4.35 × 60 = 260.99999999999997.
 */
export function secondsOf(minutes: number): number {
  const ms = Math.round(minutes * 60_000);
  return idiv(ms, 1000);
}

/**
 * Hours, in hundredths, that `seconds` of participation are worth under a rounding method (see ROUNDINGS in model).
 * "Halves up" for `nearest-quarter`: the quarter boundaries sit at 7 min 30 s past each quarter hour
 * (x.125 hours); 7 min 29 s rounds down, 7 min 30 s rounds up to the next 0.25 (school rounding; time is never
 * negative, so half-up and half-away-from-zero agree).
 */
export function hundredthsOfHours(seconds: number, rounding: Rounding): number {
  switch (rounding) {
    case 'nearest-quarter':
      return idiv(seconds + SECONDS_PER_QUARTER / 2, SECONDS_PER_QUARTER) * HUNDREDTHS_PER_QUARTER;
    case 'floor-quarter':
      return idiv(seconds, SECONDS_PER_QUARTER) * HUNDREDTHS_PER_QUARTER;
    case 'floor-hundredth':
      return idiv(seconds, SECONDS_PER_HUNDREDTH);
  }
}

/** A decimal amount in hundredths, or undefined when it has more than two decimals (1.333) or is not finite. */
export function toHundredths(amount: number): number | undefined {
  if (!Number.isFinite(amount)) return undefined;
  const hundredths = Math.round(amount * 100);
  return Math.abs(amount * 100 - hundredths) < 1e-6 ? hundredths : undefined;
}

/** CEU in thousandths for an amount in hundredths of an hour (ACPE: 0.1 CEU per contact hour, three decimals). */
export function ceuThousandths(hundredths: number, ceuPerHour: number): number {
  return Math.round(hundredths * ceuPerHour * 10);
}

/** "7 minutes", "1 minute", "52 minutes 30 seconds": a time as a reason sentence says it. */
export function describeSeconds(seconds: number): string {
  const minutes = idiv(seconds, 60);
  const rest = seconds % 60;
  const m = `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  return rest === 0 ? m : `${m} ${rest} ${rest === 1 ? 'second' : 'seconds'}`;
}
