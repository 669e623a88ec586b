/** Every CLI command, by feature. A feature adds its commands here and nowhere else. */
import { CERTIFICATE_COMMANDS } from '../certificates/cli';
import { CREDIT_COMMANDS } from '../credit/cli';
import { LTI_COMMANDS } from '../lti';
import { LRS_COMMANDS } from '../lrs/cli';
import { passbackCommands } from '../passback/cli';
import { reportCommands } from '../reports/cli';
import type { CliCommand } from './types';

export const COMMANDS: CliCommand[] = [
  ...LTI_COMMANDS,
  ...CREDIT_COMMANDS,
  ...CERTIFICATE_COMMANDS,
  ...passbackCommands,
  ...reportCommands,
  ...LRS_COMMANDS,
];
