/** Every CLI command, by feature. A feature adds its commands here and nowhere else. */
import { LTI_COMMANDS } from '../lti';
import type { CliCommand } from './types';

export const COMMANDS: CliCommand[] = [
  ...LTI_COMMANDS,
];
