/**
 * Local type augmentation for @xapi/xapi 3.0.3, whose types stop at xAPI 1.0.3: the 2.0.0 context properties
 * (IEEE 9274.1.1 §5.2.2.5 contextAgents / contextGroups). The "2.0.0" version value is cast where it is used,
 * because the library declares its versions as a closed type alias that cannot be merged.
 */
import type { Agent, Group } from '@xapi/xapi';

declare module '@xapi/xapi/dist/types/resources/statement/Context' {
  interface Context {
    contextAgents?: { objectType: 'contextAgent'; agent: Agent; relevantTypes?: string[] }[];
    contextGroups?: { objectType: 'contextGroup'; group: Group; relevantTypes?: string[] }[];
  }
}
