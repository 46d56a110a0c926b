import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { AppError } from '../../errors.js';
import { parseMappingJson } from '../../imports/column-mapping.js';
import * as mappings from '../../imports/service/mapping-service.js';
import { KIND_NAMES, type KindName } from '../../imports/types.js';
import { printList, withWorkspace, workspaceOption } from '../context.js';
import { cliCaller } from './import.js';

interface Opts {
  workspace?: string;
  json?: boolean;
  kind?: KindName;
}

/** `roster mappings save|list|show|delete`: column mappings saved by name, for `import --mapping NAME`. */
export function registerMappingsCommands(program: Command): void {
  const command = program
    .command('mappings')
    .description('column mappings saved by name, for roster import --mapping NAME');
  workspaceOption(
    command
      .command('save <name> <file.json>')
      .description(
        'save (or replace) a mapping: a JSON object {"Header in the file": "column", "Other": null}',
      )
      .addOption(
        new Option('--kind <kind>', 'the import kind it is for').choices(KIND_NAMES).makeOptionMandatory(),
      ),
  ).action((name: string, file: string, opts: Opts) =>
    withWorkspace(opts.workspace, async ({ db }, ws) => {
      if (!fs.existsSync(file)) throw new AppError('usage', `No such file: ${file}`);
      const columns = parseMappingJson(fs.readFileSync(file, 'utf8'), file);
      const saved = await mappings.saveNamedMapping({ db }, cliCaller(ws), {
        name,
        kind: opts.kind!,
        columns,
      });
      process.stdout.write(`Saved mapping "${saved.name}" for ${saved.kind} in ${ws.slug}.\n`);
    }),
  );
  workspaceOption(
    command
      .command('list')
      .option('--json', 'print JSON')
      .addOption(new Option('--kind <kind>', 'only the mappings of one kind').choices(KIND_NAMES)),
  ).action((opts: Opts) =>
    withWorkspace(opts.workspace, async ({ db }, ws) => {
      const rows = (await mappings.listSavedMappings({ db }, cliCaller(ws), opts.kind)).map((m) => ({
        name: m.name,
        kind: m.kind,
        columns: opts.json ? m.columns : Object.keys(m.columns).length,
        updatedAt: m.updatedAt,
      }));
      printList(rows, opts.json, 'No mappings saved yet: roster mappings save NAME --kind K FILE.json');
    }),
  );
  workspaceOption(
    command.command('show <name>').description('print a saved mapping as JSON (what save takes)'),
  ).action((name: string, opts: Opts) =>
    withWorkspace(opts.workspace, async ({ db }, ws) => {
      const m = await mappings.readSavedMapping({ db }, cliCaller(ws), name);
      process.stdout.write(`${JSON.stringify(m.columns, null, 2)}\n`);
    }),
  );
  workspaceOption(command.command('delete <name>').description('delete a saved mapping')).action(
    (name: string, opts: Opts) =>
      withWorkspace(opts.workspace, async ({ db }, ws) => {
        await mappings.deleteSavedMapping({ db }, cliCaller(ws), name);
        process.stdout.write(`Deleted mapping "${name}" from ${ws.slug}.\n`);
      }),
  );
}
