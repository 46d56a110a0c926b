import type { Command } from 'commander';
import { KINDS } from '../../imports/kinds/index.js';
import { listRuns, requireRun } from '../../imports/run-repository.js';
import { buildReport, listRowOutcomes } from '../../imports/run-report.js';
import type { RowStatus } from '../../db/schema.js';
import { printList, withWorkspace, workspaceOption } from '../context.js';
import { exitStatusOf, formatSummary } from '../summary.js';
import { resumeImport } from '../../imports/run-import.js';
import { undoImport } from '../../imports/undo-import.js';

/** `roster imports list|show ID`: the history of runs and their reports. */
export function registerImportsCommand(program: Command): void {
  const imports = program.command('imports').description('past import runs');
  workspaceOption(
    imports.command('list').description('list import runs, newest first').option('--json', 'print JSON'),
  ).action((opts: { workspace?: string; json?: boolean }) =>
    withWorkspace(opts.workspace, async ({ db }, ws) => {
      const { items } = await listRuns(db, ws.id, { limit: 50 });
      const rows = items.map((r) => {
        const c = r.counts;
        return {
          id: r.publicId,
          startedAt: r.startedAt,
          kind: r.kind,
          file: r.fileName,
          status: r.status,
          dryRun: r.dryRun,
          rows: c?.rowsProcessed ?? r.rowsTotal,
          created: c?.created ?? 0,
          updated: c?.updated ?? 0,
          unmatched: c?.unmatched ?? 0,
          invalid: c?.invalid ?? 0,
          by: r.actor,
        };
      });
      printList(rows, opts.json, 'No imports yet.');
    }),
  );
  workspaceOption(
    imports
      .command('show <id>')
      .description('show the report of a run (an id prefix will do)')
      .option('--json', 'print JSON'),
  ).action((id: string, opts: { workspace?: string; json?: boolean }) =>
    withWorkspace(opts.workspace, async ({ db }, ws) => {
      const run = await requireRun(db, ws, id);
      const report = await buildReport(db, run, ws.slug);
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${formatSummary(report, KINDS[run.kind].keyColumns)}\n`,
      );
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
  ).action((id: string, opts: { workspace?: string; status?: RowStatus; limit: string; json?: boolean }) =>
    withWorkspace(opts.workspace, async ({ db }, ws) => {
      const run = await requireRun(db, ws, id);
      const rows = await listRowOutcomes(db, run.id, {
        status: opts.status,
        limit: Number(opts.limit) || 100,
      });
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
      .command('undo <id>')
      .description(
        'put back what a completed run changed; records changed again since are listed, not overwritten',
      )
      .option('--json', 'print JSON'),
  ).action((id: string, opts: { workspace?: string; json?: boolean }) =>
    withWorkspace(opts.workspace, async ({ db }, ws, config) => {
      const report = await undoImport(db, ws, id, { lockTimeoutMs: config.lockTimeoutMs });
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
  ).action((id: string, opts: { workspace?: string; json?: boolean }) =>
    withWorkspace(opts.workspace, async ({ db }, ws, config) => {
      const report = await resumeImport(db, ws, id, { lockTimeoutMs: config.lockTimeoutMs });
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${formatSummary(report, KINDS[report.kind].keyColumns)}\n`,
      );
      process.exitCode = exitStatusOf(report);
    }),
  );
}
