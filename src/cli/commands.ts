/** Every CLI command, by feature. A feature adds its commands here and nowhere else. */
import type { CliCommand } from './types';

export const COMMANDS: CliCommand[] = [
];
