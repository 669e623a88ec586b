/**
 * What each credential scope allows (xAPI 1.0.3 Part 3 §4.2 "OAuth Scope" table; 2.0.0 keeps the same vocabulary).
 * `statements/read/mine` reads only statements stored by the same credential; `define` lets the credential's
 * statements update the LRS's Activity definitions; `all/read` reads everything.
 */
import type { Scope } from './credentials';

export type Action = 'statements/read' | 'statements/write' | 'state/read' | 'state/write' | 'profile/read' | 'profile/write' | 'activities/read' | 'agents/read';

const GRANTS: Record<Action, readonly Scope[]> = {
  'statements/read': ['all', 'all/read', 'statements/read', 'statements/read/mine'],
  'statements/write': ['all', 'statements/write'],
  'state/read': ['all', 'all/read', 'state'],
  'state/write': ['all', 'state'],
  'profile/read': ['all', 'all/read', 'profile'],
  'profile/write': ['all', 'profile'],
  'activities/read': ['all', 'all/read', 'define', 'profile', 'state', 'statements/read', 'statements/read/mine'],
  'agents/read': ['all', 'all/read', 'define', 'profile', 'state', 'statements/read', 'statements/read/mine'],
};

export const allows = (scopes: readonly Scope[], action: Action) => scopes.some((s) => GRANTS[action].includes(s));

/** Reads of statements limited to the credential's own (only `statements/read/mine` among its read grants). */
export const readsOnlyMine = (scopes: readonly Scope[]) =>
  scopes.includes('statements/read/mine') && !scopes.some((s) => s === 'all' || s === 'all/read' || s === 'statements/read');

export const mayDefine = (scopes: readonly Scope[]) => scopes.includes('all') || scopes.includes('define');

/** Only a fully trusted credential may store statements with an authority other than its own (1.0.3 §2.4.9). */
export const mayAssertAuthority = (scopes: readonly Scope[]) => scopes.includes('all');
