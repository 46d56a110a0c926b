import { Command, CommanderError } from 'commander';
import { ENVIRONMENT_HELP } from '../config.js';
import { AppError } from '../errors.js';
import { systemFault } from '../system-faults.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerEntityCommands } from './commands/entities.js';
import { registerExportCommand } from './commands/export.js';
import { registerImportCommand } from './commands/import.js';
import { registerImportsCommand } from './commands/imports.js';
import { registerMappingsCommands } from './commands/mappings.js';
import { registerServeCommands } from './commands/serve.js';
import { registerTokensCommands } from './commands/tokens.js';
import { registerUsersCommands } from './commands/users.js';

/** The `roster` command with all its subcommands: a new one per run, as commander keeps parsed state. */
export function createProgram(): Command {
  const program = new Command('roster')
    .description('Roster: a customer-contact database with safe, fast CSV imports')
    .version('0.1.0')
    .addHelpText(
      'after',
      `\n${ENVIRONMENT_HELP}\n\nExit status of import: 0 all applied, 3 some rows unmatched or invalid, 2 file rejected, 1 error.`,
    )
    .showHelpAfterError()
    .exitOverride();

  registerImportCommand(program);
  registerImportsCommand(program);
  registerExportCommand(program);
  registerMappingsCommands(program);
  registerEntityCommands(program);
  registerUsersCommands(program);
  registerTokensCommands(program);
  registerServeCommands(program);
  registerDemoCommand(program);
  return program;
}

/** Every failure ends here: one message (and a hint) on stderr, exit status 1. */
function fail(err: unknown): void {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 1;
    return;
  }
  const fault = systemFault(err);
  if (fault) {
    process.stderr.write(`roster: ${fault.error.message}\n  ${fault.error.hint}\n`);
  } else if (err instanceof AppError) {
    process.stderr.write(`roster: ${err.message}\n${err.hint ? `  ${err.hint}\n` : ''}`);
  } else {
    process.stderr.write(`roster: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  }
  process.exitCode = 1;
}

/** Runs the CLI on `argv` (as `process.argv`: node, script, arguments); the outcome is `process.exitCode`. */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (err) {
    fail(err);
  }
}
