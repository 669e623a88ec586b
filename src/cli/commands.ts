/**
 * Every CLI command, by feature. A feature adds its commands here and nowhere else: the groups it defines and how
 * to load them. A run loads only the feature of the group it runs (`export ...` never loads ltijs, the LRS or the
 * certificate renderer): loading every feature cost a CLI process ~80 MB before it did anything, more than a whole
 * 100,000-claim export (docs/exports.md, "Large exports").
 */
import type { CliCommand } from './types';

const FEATURES: { groups: string[]; load: () => CliCommand[] }[] = [
  { groups: ['platform', 'deployment', 'manifest'], load: () => (require('../lti') as typeof import('../lti')).LTI_COMMANDS },
  { groups: ['credit'], load: () => (require('../credit/cli') as typeof import('../credit/cli')).CREDIT_COMMANDS },
  { groups: ['certificate', 'keys'], load: () => (require('../certificates/cli') as typeof import('../certificates/cli')).CERTIFICATE_COMMANDS },
  { groups: ['passback'], load: () => (require('../passback/cli') as typeof import('../passback/cli')).passbackCommands },
  { groups: ['export'], load: () => (require('../reports/cli') as typeof import('../reports/cli')).reportCommands },
  { groups: ['lrs'], load: () => (require('../lrs/cli') as typeof import('../lrs/cli')).LRS_COMMANDS },
];

/** The commands of one group (loading only the feature that defines it), or of every group. */
export function commands(group?: string): CliCommand[] {
  const features = group === undefined ? FEATURES : FEATURES.filter((f) => f.groups.includes(group));
  return features.flatMap((f) => f.load()).filter((c) => group === undefined || c.group === group);
}

/** Every command (loads every feature): for the usage text and for tests. */
export const COMMANDS: CliCommand[] = new Proxy([] as CliCommand[], {
  get(target, key, receiver) {
    if (target.length === 0) target.push(...commands());
    return Reflect.get(target, key, receiver) as unknown;
  },
});
