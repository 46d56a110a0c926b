import { Argument, type Command } from 'commander';
import { EXPORT_KINDS, exportCsv, type ExportKind } from '../../exports/export-csv.js';
import { withWorkspace, workspaceOption } from '../context.js';

/** `roster export customers|contacts|persons`: CSV on stdout in the import's own columns. */
export function registerExportCommand(program: Command): void {
  workspaceOption(
    program
      .command('export')
      .description('write customers, contacts or persons as CSV to stdout, importable again as it is')
      .addArgument(new Argument('<kind>').choices(EXPORT_KINDS)),
  ).action((kind: ExportKind, opts: { workspace?: string }) =>
    withWorkspace(opts.workspace, ({ db }, ws) => exportCsv(db, ws.id, kind, process.stdout)),
  );
}
