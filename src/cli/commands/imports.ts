import type { Command } from 'commander';
import type { RowStatus } from '../../db/schema.js';
import { KINDS } from '../../imports/kinds/index.js';
import {
  applyDryRun,
  listImports,
  readRun,
  reportOf,
  resumeRun,
  rowsOf,
  runQueued,
  undoRun,
} from '../../imports/service/import-service.js';
import type { ImportReport } from '../../imports/types.js';
import { printList, withWorkspace, workspaceOption } from '../context.js';
import { exitStatusOf, formatSummary } from '../summary.js';
import { cliCaller, progressBar } from './import.js';

type Opts = { workspace?: string; json?: boolean };

function printReport(report: ImportReport, json: boolean | undefined): void {
  process.stdout.write(
    json
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${formatSummary(report, KINDS[report.kind].keyColumns)}\n`,
  );
}

/** `roster imports list|show|rows|apply|undo|resume ID`: the history of runs, their reports, what to do next. */
export function registerImportsCommand(program: Command): void {
  const imports = program.command('imports').description('past import runs');
  workspaceOption(
    imports.command('list').description('list import runs, newest first').option('--json', 'print JSON'),
  ).action((opts: Opts) =>
    withWorkspace(opts.workspace, async ({ db }, ws, config) => {
      const { items } = await listImports({ db, config }, cliCaller(ws), { limit: 50 });
      const rows = items.map((r) => ({
        id: r.publicId,
        startedAt: r.startedAt,
        kind: r.kind,
        file: r.fileName,
        status: r.status,
        dryRun: r.dryRun,
        rows: r.counts?.rowsProcessed ?? r.rowsTotal,
        created: r.counts?.created ?? 0,
        updated: r.counts?.updated ?? 0,
        unmatched: r.counts?.unmatched ?? 0,
        invalid: r.counts?.invalid ?? 0,
        by: r.actor,
      }));
      printList(rows, opts.json, 'No imports yet.');
    }),
  );
  workspaceOption(
    imports
      .command('show <id>')
      .description('show the report of a run (an id prefix will do)')
      .option('--json', 'print JSON'),
  ).action((id: string, opts: Opts) =>
    withWorkspace(opts.workspace, async ({ db }, ws, config) => {
      const deps = { db, config };
      const caller = cliCaller(ws);
      const run = await readRun(deps, caller, id, 'prefix');
      printReport(await reportOf(deps, caller, run), opts.json);
    }),
  );
  workspaceOption(
    imports
      .command('rows <id>')
      .description("each row's outcome and, for an update, every changed field (before → after)")
      .option(
        '--status <status>',
        'only rows with this outcome: created, updated, unchanged, unmatched, invalid, duplicate',
      )
      .option('--limit <n>', 'rows to show', '100')
      .option('--json', 'print JSON'),
  ).action((id: string, opts: Opts & { status?: RowStatus; limit: string }) =>
    withWorkspace(opts.workspace, async ({ db }, ws, config) => {
      const deps = { db, config };
      const caller = cliCaller(ws);
      const run = await readRun(deps, caller, id, 'prefix');
      const rows = await rowsOf(deps, caller, run, { status: opts.status, limit: Number(opts.limit) || 100 });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) {
        const changes = Object.entries(r.changes ?? {})
          .map(([field, [before, after]]) => `${field}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`)
          .join('; ');
        process.stdout.write(
          `line ${r.line}  ${r.status}${r.reason ? ` (${r.reason})` : ''}  ${changes || r.message || ''}\n`,
        );
      }
    }),
  );
  workspaceOption(
    imports
      .command('apply <id>')
      .description(
        'apply a reviewed dry run; refused (exit 1) when the data or the file changed since the dry run',
      )
      .option('--json', 'print the report JSON'),
  ).action((id: string, opts: Opts) =>
    withWorkspace(opts.workspace, async ({ db }, ws, config) => {
      const deps = { db, config };
      const caller = cliCaller(ws);
      const run = await applyDryRun(deps, caller, await readRun(deps, caller, id, 'prefix'));
      const bar = progressBar();
      const report = await runQueued(
        deps,
        { workspaceId: ws.id, runId: run.publicId },
        { onProgress: bar },
      ).finally(() => bar.stop());
      printReport(report!, opts.json);
      process.exitCode = exitStatusOf(report!);
    }),
  );
  workspaceOption(
    imports
      .command('undo <id>')
      .description(
        'put back what a completed run changed; records changed again since are listed, not overwritten',
      )
      .option('--json', 'print JSON'),
  ).action((id: string, opts: Opts) =>
    withWorkspace(opts.workspace, async ({ db }, ws, config) => {
      const deps = { db, config };
      const caller = cliCaller(ws);
      const report = await undoRun(deps, caller, await readRun(deps, caller, id, 'prefix'));
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        const lines = [
          `Run ${report.id} undone: ${report.restored} records restored, ${report.removed} removed, ${report.conflicts.length} conflicts.`,
          ...report.conflicts.map(
            (c) => `  line ${c.line}  ${c.table} ${JSON.stringify(c.key)}: ${c.message}`,
          ),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      process.exitCode = report.conflicts.length > 0 ? 3 : 0;
    }),
  );
  workspaceOption(
    imports
      .command('resume <id>')
      .description('finish an interrupted run from its last committed batch')
      .option('--json', 'print the report JSON'),
  ).action((id: string, opts: Opts) =>
    withWorkspace(opts.workspace, async ({ db }, ws, config) => {
      const report = await resumeRun({ db, config }, cliCaller(ws), id);
      printReport(report, opts.json);
      process.exitCode = exitStatusOf(report);
    }),
  );
}
