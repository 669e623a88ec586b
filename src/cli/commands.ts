/** Every CLI command, by feature. A feature adds its commands here and nowhere else. */
import { CREDIT_COMMANDS } from '../credit/cli';
import { LRS_COMMANDS } from '../lrs/cli';
import { passbackCommands } from '../passback/cli';
import type { CliCommand } from './types';

export const COMMANDS: CliCommand[] = [
  ...CREDIT_COMMANDS,
  ...passbackCommands,
  ...LRS_COMMANDS,
];
