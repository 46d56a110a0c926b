import fs from 'node:fs';
import os from 'node:os';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { AppError } from '../../errors.js';
import { KINDS } from '../../imports/kinds/index.js';
import { mappingFromFlags } from '../../imports/column-mapping.js';
import {
  BLANK_MODES,
  CUSTOMER_KEYS,
  DEFAULT_OPTIONS,
  ImportOptionsSchema,
  LABEL_MODES,
  parseImportOptions,
  type ImportOptionsInput,
} from '../../imports/import-options.js';
import { importFile, readRun, writeErrors, type Caller } from '../../imports/service/import-service.js';
import type { Workspace } from '../../domain/workspaces.js';
import { KIND_NAMES, type ImportProgress, type KindName } from '../../imports/types.js';
import { withWorkspace, workspaceOption } from '../context.js';
import { exitStatusOf, formatSummary } from '../summary.js';

type ImportFlags = Omit<ImportOptionsInput, 'mapping' | 'mappingName'> & {
  workspace?: string;
  map?: string[];
  mapping?: string;
  report?: string;
  errors?: string;
  json?: boolean;
};

/** Checked at once, so a bad --batch-size fails before the database is opened. */
function batchSize(value: string): number {
  const n = ImportOptionsSchema.shape.batchSize.safeParse(value);
  if (!n.success) throw new AppError('usage', '--batch-size takes a whole number from 1 to 100000.');
  return n.data;
}

/** `batchSize` → `--batch-size`: options named as the command line spells them. */
const flagName = (option: string) => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function lineNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new AppError('usage', '--header-line takes a line number from 1.');
  return n;
}

/** A progress bar on stderr when it is a terminal: rows read while staging, then a bar while applying. */
export function progressBar(): ((p: ImportProgress) => void) & { stop(): void } {
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

/** The CLI acts as whoever runs it, who owns the database: an admin. */
export function cliCaller(workspace: Workspace): Caller {
  return { workspace, actor: `cli:${os.userInfo().username}`, role: 'admin' };
}

/** `roster import KIND FILE`: runs one import and prints its summary (or JSON); sets the exit status. */
export function registerImportCommand(program: Command): void {
  workspaceOption(
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
        .default(DEFAULT_OPTIONS.customerKey),
    )
    .option('--ignore-case', 'accept references that match only when case is ignored (when unambiguous)')
    .addOption(
      new Option('--labels <mode>', 'add labels to or replace the contact’s labels')
        .choices(LABEL_MODES)
        .default(DEFAULT_OPTIONS.labels),
    )
    .addOption(
      new Option('--blank <mode>', 'a blank cell keeps the value, or clears it')
        .choices(BLANK_MODES)
        .default(DEFAULT_OPTIONS.blank),
    )
    .option(
      '--encoding <encoding>',
      'read a file that is not UTF-8: windows-1252, latin1, utf-16, shift_jis, gb18030, … (any iconv-lite name)',
    )
    .option('--ignore-unknown', 'leave out the columns that are not of this import (listed in a warning)')
    .option(
      '--map <SOURCE=TARGET>',
      'read the header cell SOURCE as column TARGET ("SOURCE=" leaves it out); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--mapping <file.json|name>',
      'a mapping as a JSON file, or the name of one saved with roster mappings save',
    )
    .option('--header-line <n>', 'the line of the header, when the file starts with other lines', lineNumber)
    .option('--sheet <name>', 'the sheet of an .xlsx workbook to read (default: the first)')
    .option('--delimiter <char>', 'field separator (default ",")')
    .option(
      '--batch-size <n>',
      'rows per batch (a transaction applies ~1 s of batches)',
      batchSize,
      DEFAULT_OPTIONS.batchSize,
    )
    .option('--report <file.json>', 'write the report JSON to a file')
    .option(
      '--errors <file.csv>',
      'write unmatched and invalid rows to a CSV that can be fixed and imported again',
    )
    .option('--json', 'print the report JSON instead of the summary')
    .action(async (kind: KindName, file: string, flags: ImportFlags) => {
      if (!fs.existsSync(file)) throw new AppError('usage', `No such file: ${file}`);
      const { workspace: _ws, report: _report, errors: _errors, json: _json, map, mapping, ...given } = flags;
      const options = parseImportOptions(
        { ...given, ...mappingFromFlags({ map, mapping }) },
        { code: 'usage', name: flagName },
      );
      await withWorkspace(flags.workspace, async ({ db }, workspace, config) => {
        const bar = progressBar();
        const deps = { db, config };
        const caller = cliCaller(workspace);
        const report = await importFile(
          deps,
          caller,
          { kind, path: file, options },
          { onProgress: bar },
        ).finally(() => bar.stop());
        if (flags.report) fs.writeFileSync(flags.report, `${JSON.stringify(report, null, 2)}\n`);
        if (flags.errors) {
          const run = await readRun(deps, caller, report.id);
          await writeErrors(deps, caller, run, fs.createWriteStream(flags.errors));
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
