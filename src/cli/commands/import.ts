import fs from 'node:fs';
import os from 'node:os';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { AppError } from '../../errors.js';
import { KINDS } from '../../imports/kinds/index.js';
import { runImport } from '../../imports/run-import.js';
import { writeErrorsCsv } from '../../imports/stages/errors-csv.js';
import { findRun } from '../../imports/run-repository.js';
import {
  CUSTOMER_KEYS,
  DEFAULT_OPTIONS,
  ENCODINGS,
  KIND_NAMES,
  type ImportOptions,
  type ImportProgress,
  type KindName,
} from '../../imports/types.js';
import { withWorkspace } from '../context.js';
import { exitStatusOf, formatSummary } from '../summary.js';
import { withWs } from './entities.js';

interface ImportFlags {
  workspace?: string;
  dryRun?: boolean;
  customerKey: ImportOptions['customerKey'];
  ignoreCase?: boolean;
  labels: ImportOptions['labels'];
  blank: ImportOptions['blank'];
  encoding?: ImportOptions['encoding'];
  delimiter?: string;
  batchSize: number;
  report?: string;
  errors?: string;
  json?: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new AppError('usage', '--batch-size takes a whole number from 1 to 100000.');
  return n;
}

/** A progress bar on stderr when it is a terminal: rows read while staging, then a bar while applying. */
function progressBar(): ((p: ImportProgress) => void) & { stop(): void } {
  if (!process.stderr.isTTY) return Object.assign(() => {}, { stop() {} });
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      hideCursor: true,
      format: (options, params, payload: { phase?: string }) =>
        payload.phase === 'applying'
          ? ` applying [${cliProgress.Format.BarFormat(params.progress, options)}] ${params.value}/${params.total} rows`
          : ` ${payload.phase ?? 'reading'}: ${params.value} rows read`,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const update = (p: ImportProgress) => {
    const total = Math.max(p.phase === 'applying' ? p.rowsTotal : p.rowsDone, 1);
    if (!started) bar.start(total, 0, { phase: p.phase });
    started = true;
    bar.setTotal(total);
    bar.update(p.phase === 'planning' ? p.rowsTotal : p.rowsDone, {
      phase: p.phase === 'staging' ? 'reading' : p.phase,
    });
  };
  return Object.assign(update, { stop: () => started && bar.stop() });
}

/** `roster import KIND FILE`: runs one import and prints its summary (or JSON); sets the exit status. */
export function registerImportCommand(program: Command): void {
  withWs(
    program
      .command('import')
      .description('import a CSV file')
      .addArgument(
        program
          .createArgument(
            '<kind>',
            Object.entries(KINDS)
              .map(([k, v]) => `${k}: ${v.summary}`)
              .join('\n'),
          )
          .choices(KIND_NAMES),
      )
      .argument('<file>', 'the CSV file'),
  )
    .option('--dry-run', 'check and report what would happen; change nothing')
    .addOption(
      new Option('--customer-key <key>', 'customer field that customer_ref/company_id name')
        .choices(CUSTOMER_KEYS)
        .default('ref'),
    )
    .option('--ignore-case', 'accept references that match only when case is ignored (when unambiguous)')
    .addOption(
      new Option('--labels <mode>', 'add labels to or replace the contact’s labels')
        .choices(['add', 'replace'])
        .default('add'),
    )
    .addOption(
      new Option('--blank <mode>', 'a blank cell keeps the value, or clears it')
        .choices(['keep', 'clear'])
        .default('keep'),
    )
    .addOption(new Option('--encoding <encoding>', 'read a file that is not UTF-8').choices(ENCODINGS))
    .option('--delimiter <char>', 'field separator (default ",")')
    .option('--batch-size <n>', 'rows per transaction', positiveInt, DEFAULT_OPTIONS.batchSize)
    .option('--report <file.json>', 'write the report JSON to a file')
    .option(
      '--errors <file.csv>',
      'write unmatched and invalid rows to a CSV that can be fixed and imported again',
    )
    .option('--json', 'print the report JSON instead of the summary')
    .action(async (kind: KindName, file: string, flags: ImportFlags) => {
      if (!fs.existsSync(file)) throw new AppError('usage', `No such file: ${file}`);
      const delimiter = flags.delimiter === '\\t' ? '\t' : flags.delimiter;
      const options: ImportOptions = {
        dryRun: Boolean(flags.dryRun),
        customerKey: flags.customerKey,
        ignoreCase: Boolean(flags.ignoreCase),
        labels: flags.labels,
        blank: flags.blank,
        encoding: flags.encoding,
        delimiter,
        batchSize: flags.batchSize,
      };
      await withWorkspace(flags.workspace, async ({ db }, workspace, config) => {
        const bar = progressBar();
        const report = await runImport(db, {
          workspace,
          kind,
          filePath: file,
          actor: `cli:${os.userInfo().username}`,
          options,
          onProgress: bar,
          lockTimeoutMs: config.lockTimeoutMs,
        }).finally(() => bar.stop());
        if (flags.report) fs.writeFileSync(flags.report, `${JSON.stringify(report, null, 2)}\n`);
        if (flags.errors) {
          const run = await findRun(db, workspace.id, report.id);
          await writeErrorsCsv(db, run!, fs.createWriteStream(flags.errors));
        }
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(report, null, 2)}\n`
            : `${formatSummary(report, KINDS[kind].keyColumns)}\n`,
        );
        process.exitCode = exitStatusOf(report);
      });
    });
}
