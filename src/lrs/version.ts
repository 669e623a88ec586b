/**
 * Version negotiation by the X-Experience-API-Version header (xAPI 1.0.3 Part 3 §3.3, 2.0.0 §4.1.1 / §4.1.6.7).
 * 1.0.0-1.0.3 (and 1.0.x generally) are served by the 1.0.3 rules; 2.0.0 (2.0.x) by the 2.0 rules. A missing or
 * other value is refused with 400, except at /about. Responses carry the latest patch of the family.
 */
import { ValidationError } from '../errors';
import type { Family } from './model';

export const SUPPORTED_VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '2.0.0'] as const;
export const LATEST: Record<Family, string> = { '1.0': '1.0.3', '2.0': '2.0.0' };

export function familyOf(header: string | undefined): Family {
  const value = (header ?? '').trim();
  if (!value) throw new ValidationError('The X-Experience-API-Version header is required.', undefined, 'XAPI_VERSION_MISSING');
  if (/^1\.0(\.\d+)?$/.test(value)) return '1.0';
  if (/^2\.0(\.\d+)?$/.test(value)) return '2.0';
  throw new ValidationError(`X-Experience-API-Version ${value} is not supported; use one of ${SUPPORTED_VERSIONS.join(', ')}.`, undefined, 'XAPI_VERSION_UNSUPPORTED');
}
