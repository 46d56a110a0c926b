import os from 'node:os';
import { sql, type Insertable, type Selectable, type SelectQueryBuilder, type Updateable } from 'kysely';
import type { Db } from '../db/dialect.js';
import { inTransaction } from '../db/transaction.js';
import type { Database, ImportRunTable, RunStatus } from '../db/schema.js';
import { processAlive } from '../db/workspace-lock.js';
import { AppError } from '../errors.js';
import { parseImportOptions, type ImportOptions } from './import-options.js';
import type { Rejection } from './stages/rejection.js';
import { KIND_NAMES, type HeaderMapping, type ImportCounts, type KindName, type Warning } from './types.js';
import type { UndoReport } from './undo-import.js';

export type { RunStatus };
export type RunPhase = ImportRunTable['phase'];

/**
 * One import run as the rest of the code sees it: every JSON column parsed, the kind checked. This module
 * alone reads and writes `import_runs`.
 */
export interface ImportRun {
  /** Internal key (what import_rows refer to). */
  id: number;
  /** The run's id as people and the API see it (a UUID). */
  publicId: string;
  workspaceId: number;
  kind: KindName;
  status: RunStatus;
  phase: RunPhase;
  dryRun: boolean;
  actor: string;
  fileName: string;
  /** Where the file is read from; null once it is no longer kept. */
  filePath: string | null;
  fileBytes: number;
  fileSha256: string;
  encoding: string;
  bom: boolean;
  options: ImportOptions;
  /**
   * The canonical column of each position of the file (notes keep their `_…` name; a column the run left
   * out is null); [] before staging.
   */
  header: (string | null)[];
  /** What the run read under another name, and the header cells it left out; null before staging. */
  mapping: HeaderMapping | null;
  /** A workbook's sheet that was read (`encoding` is then `xlsx`). */
  sheet: string | null;
  warnings: Warning[];
  counts: ImportCounts | null;
  rejection: Rejection | null;
  error: string | null;
  rowsTotal: number;
  rowsDone: number;
  pid: number | null;
  host: string | null;
  startedAt: string;
  finishedAt: string | null;
  undoneAt: string | null;
  undoReport: UndoReport | null;
  /** The workspace's data version when the run planned. */
  dataVersion: number | null;
  /** An apply of a dry run: the data version the dry run saw; the run fails if the data has moved since. */
  expectedDataVersion: number | null;
  /** A dry run that was applied: the public id of the run that applied it. */
  appliedRunId: string | null;
  /** A run that applies a dry run: the dry run's public id. */
  sourceRunId: string | null;
}

/** What a new run records; the rest starts empty. */
export type NewRunRecord = Pick<
  ImportRun,
  | 'publicId'
  | 'workspaceId'
  | 'kind'
  | 'status'
  | 'actor'
  | 'fileName'
  | 'filePath'
  | 'fileBytes'
  | 'options'
  | 'pid'
  | 'host'
  | 'startedAt'
  | 'expectedDataVersion'
  | 'sourceRunId'
>;

/** What may change in a run after it was recorded. */
export type RunChanges = Partial<
  Omit<ImportRun, 'id' | 'publicId' | 'workspaceId' | 'kind' | 'dryRun' | 'options' | 'actor' | 'startedAt'>
>;

export function isKindName(name: string): name is KindName {
  return (KIND_NAMES as readonly string[]).includes(name);
}

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function toRun(row: Selectable<ImportRunTable>): ImportRun {
  if (!isKindName(row.kind)) throw new AppError('internal', `Run ${row.public_id} has an unknown kind.`);
  return {
    id: row.id,
    publicId: row.public_id,
    workspaceId: row.workspace_id,
    kind: row.kind,
    status: row.status,
    phase: row.phase,
    dryRun: row.dry_run === 1,
    actor: row.actor,
    fileName: row.file_name,
    filePath: row.file_path,
    fileBytes: Number(row.file_bytes),
    fileSha256: row.file_sha256,
    encoding: row.encoding,
    bom: row.bom === 1,
    options: parseImportOptions(JSON.parse(row.options), { code: 'internal' }),
    header: json<(string | null)[]>(row.header) ?? [],
    mapping: json<HeaderMapping>(row.mapping),
    sheet: row.sheet,
    warnings: json<Warning[]>(row.warnings) ?? [],
    counts: json<ImportCounts>(row.counts),
    rejection: json<Rejection>(row.rejection),
    error: row.error,
    rowsTotal: row.rows_total,
    rowsDone: row.rows_done,
    pid: row.pid,
    host: row.host,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    undoneAt: row.undone_at,
    undoReport: json<UndoReport>(row.undo_report),
    dataVersion: row.data_version,
    expectedDataVersion: row.expected_data_version,
    appliedRunId: row.applied_run_id,
    sourceRunId: row.source_run_id,
  };
}

const text = (value: unknown) => (value === null ? null : JSON.stringify(value));
const flag = (value: boolean) => (value ? (1 as const) : (0 as const));

function toColumns(changes: RunChanges): Updateable<ImportRunTable> {
  const c = changes;
  const columns: Updateable<ImportRunTable> = {
    status: c.status,
    phase: c.phase,
    file_name: c.fileName,
    file_path: c.filePath,
    file_bytes: c.fileBytes,
    file_sha256: c.fileSha256,
    encoding: c.encoding,
    bom: c.bom === undefined ? undefined : flag(c.bom),
    header: c.header === undefined ? undefined : text(c.header),
    mapping: c.mapping === undefined ? undefined : text(c.mapping),
    sheet: c.sheet,
    warnings: c.warnings === undefined ? undefined : JSON.stringify(c.warnings),
    counts: c.counts === undefined ? undefined : text(c.counts),
    rejection: c.rejection === undefined ? undefined : text(c.rejection),
    error: c.error,
    rows_total: c.rowsTotal,
    rows_done: c.rowsDone,
    pid: c.pid,
    host: c.host,
    finished_at: c.finishedAt,
    undone_at: c.undoneAt,
    undo_report: c.undoReport === undefined ? undefined : text(c.undoReport),
    data_version: c.dataVersion,
    expected_data_version: c.expectedDataVersion,
    applied_run_id: c.appliedRunId,
    source_run_id: c.sourceRunId,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
}

/** Records a new run and returns it as stored. */
export async function insertRun(db: Db, run: NewRunRecord): Promise<ImportRun> {
  const row: Insertable<ImportRunTable> = {
    public_id: run.publicId,
    workspace_id: run.workspaceId,
    kind: run.kind,
    status: run.status,
    phase: 'staging',
    dry_run: flag(run.options.dryRun),
    actor: run.actor,
    file_name: run.fileName,
    file_path: run.filePath,
    file_bytes: run.fileBytes,
    file_sha256: '',
    encoding: run.options.encoding ?? 'utf-8',
    bom: 0,
    options: JSON.stringify(run.options),
    header: null,
    warnings: '[]',
    counts: null,
    rejection: null,
    error: null,
    rows_total: 0,
    rows_done: 0,
    pid: run.pid,
    host: run.host,
    started_at: run.startedAt,
    finished_at: null,
    undone_at: null,
    undo_report: null,
    source_run_id: run.sourceRunId,
    expected_data_version: run.expectedDataVersion,
  };
  const stored = await db.insertInto('import_runs').values(row).returningAll().executeTakeFirstOrThrow();
  return toRun(stored);
}

/**
 * Changes a run. With a worker's `lease` (PostgreSQL's workers) only while that worker still holds the run
 * (fencing): a worker that lost its lease, after a long pause or a lost connection, never writes a batch's
 * progress, a status or a report over the worker that took the run over; it gets {@link LeaseLost}, and
 * the transaction it wrote in (a batch) is rolled back.
 */
export async function updateRun(db: Db, id: number, changes: RunChanges, lease?: RunLease): Promise<void> {
  if (!lease) {
    await db.updateTable('import_runs').set(toColumns(changes)).where('id', '=', id).execute();
    return;
  }
  const result = await db
    .updateTable('import_runs')
    .set(toColumns(changes))
    .where('id', '=', id)
    .where('lease_owner', '=', lease.owner)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new LeaseLost(id);
}

/**
 * Changes a run only if it still has the status it was read with (one UPDATE, so of two processes
 * claiming the same run one wins); true when this call changed it.
 */
export async function updateRunIf(
  db: Db,
  run: Pick<ImportRun, 'id' | 'status'>,
  changes: RunChanges,
): Promise<boolean> {
  const result = await db
    .updateTable('import_runs')
    .set(toColumns(changes))
    .where('id', '=', run.id)
    .where('status', '=', run.status)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks a dry run as applied by `appliedRunId`, unless another apply got there first; true when it won. */
export async function claimApply(
  db: Db,
  dry: Pick<ImportRun, 'id' | 'appliedRunId'>,
  appliedRunId: string,
): Promise<boolean> {
  const result = await db
    .updateTable('import_runs')
    .set({ applied_run_id: appliedRunId })
    .where('id', '=', dry.id)
    .where((eb) =>
      dry.appliedRunId === null
        ? eb('applied_run_id', 'is', null)
        : eb('applied_run_id', '=', dry.appliedRunId),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The tables that hold a run's rows by its id. None of them removes its rows with the run by itself
 * everywhere (on PostgreSQL the staged rows and outcomes have no foreign key, migration 022), so deleting
 * runs deletes them first.
 */
const RUN_ROWS = [
  'import_rows',
  'import_outcomes',
  'import_row_labels',
  'import_row_values',
  'import_undo_conflicts',
  'import_undos',
] as const;

/** Deletes the runs `runs` selects, with their rows, in one transaction. */
async function deleteRuns(
  db: Db,
  runs: (db: Db) => SelectQueryBuilder<Database, 'import_runs', { id: number }>,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    for (const table of RUN_ROWS) await trx.deleteFrom(table).where('run_id', 'in', runs(trx)).execute();
    await trx.deleteFrom('import_runs').where('id', 'in', runs(trx)).execute();
  });
}

export async function deleteRun(db: Db, id: number): Promise<void> {
  await deleteRuns(db, (trx) => trx.selectFrom('import_runs').select('id').where('id', '=', id));
}

/** Deletes every run of a workspace and their rows (before the workspace itself is deleted). */
export async function deleteWorkspaceRuns(db: Db, workspaceId: number): Promise<void> {
  await deleteRuns(db, (trx) =>
    trx.selectFrom('import_runs').select('id').where('workspace_id', '=', workspaceId),
  );
}

/** Reads a run again by its internal key. */
export async function getRun(db: Db, id: number): Promise<ImportRun> {
  return toRun(await db.selectFrom('import_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

/** Finds a run of a workspace by its public id, or by an unambiguous prefix of it. */
export async function findRun(db: Db, workspaceId: number, id: string): Promise<ImportRun | undefined> {
  const rows = await db
    .selectFrom('import_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('public_id', '=', id), eb('public_id', 'like', `${id.replace(/[%_]/g, '')}%`)]))
    .orderBy('started_at', 'desc')
    .limit(2)
    .execute();
  const row = rows.length === 1 || rows[0]?.public_id === id ? rows[0] : undefined;
  return row && toRun(row);
}

/** Finds a run by its public id (or a prefix of it), or fails with `not_found` and where to look. */
export async function requireRun(
  db: Db,
  workspace: { id: number; slug: string },
  id: string,
): Promise<ImportRun> {
  const run = await findRun(db, workspace.id, id);
  if (!run) {
    throw new AppError(
      'not_found',
      `No import run "${id}" in ${workspace.slug}.`,
      'List them with `roster imports list`.',
    );
  }
  return run;
}

/** A page of a workspace's runs, newest first, and how many it has in all. */
export async function listRuns(
  db: Db,
  workspaceId: number,
  page: { limit: number; offset?: number },
): Promise<{ items: ImportRun[]; total: number }> {
  const base = db.selectFrom('import_runs').where('workspace_id', '=', workspaceId);
  const [rows, total] = await Promise.all([
    base
      .selectAll()
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset ?? 0)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toRun), total: Number(total.n) };
}

/** Runs still to be carried out, oldest first: queued ones and interrupted ones. */
export async function listUnfinishedRuns(db: Db): Promise<Pick<ImportRun, 'workspaceId' | 'publicId'>[]> {
  const rows = await db
    .selectFrom('import_runs')
    .select(['workspace_id', 'public_id'])
    .where('status', 'in', ['queued', 'interrupted'])
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ workspaceId: r.workspace_id, publicId: r.public_id }));
}

/** Runs whose file lies in a folder (the upload folder). */
export async function listRunsWithFileIn(db: Db, dir: string): Promise<ImportRun[]> {
  const rows = await db.selectFrom('import_runs').selectAll().where('file_path', 'like', `${dir}%`).execute();
  return rows.map(toRun);
}

/** The runs of these files (uploads kept in the database). */
export async function listRunsWithFiles(db: Db, files: string[]): Promise<ImportRun[]> {
  if (files.length === 0) return [];
  const rows = await db.selectFrom('import_runs').selectAll().where('file_path', 'in', files).execute();
  return rows.map(toRun);
}

/**
 * How many rows of a run ended in each status: the staged rows' own, and those of the applied rows'
 * outcomes (whose staged rows stay `pending`).
 */
export async function countRowStatuses(db: Db, runId: number): Promise<Map<string, number>> {
  const [staged, applied] = await Promise.all(
    (['import_rows', 'import_outcomes'] as const).map((table) =>
      db
        .selectFrom(table)
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('run_id', '=', runId)
        .groupBy('status')
        .execute(),
    ),
  );
  const counts = new Map(staged!.map((r) => [r.status as string, Number(r.n)]));
  for (const r of applied!) {
    counts.set(r.status, Number(r.n));
    const pending = (counts.get('pending') ?? 0) - Number(r.n);
    if (pending > 0) counts.set('pending', pending);
    else counts.delete('pending');
  }
  return counts;
}

/**
 * A run left `running` by a process that is gone (crash, kill) becomes `interrupted`, ready to resume.
 * Only runs of this machine can be checked; a run of another machine keeps its status.
 */
export async function markInterruptedRuns(db: Db): Promise<number> {
  const running = await db
    .selectFrom('import_runs')
    .select(['id', 'pid'])
    .where('status', '=', 'running')
    .where('host', '=', os.hostname())
    .execute();
  const gone = running
    .filter((r) => r.pid !== null && r.pid !== process.pid && !processAlive(r.pid))
    .map((r) => r.id);
  if (gone.length === 0) return 0;
  await db
    .updateTable('import_runs')
    .set({ status: 'interrupted' })
    .where('id', 'in', gone)
    .where('status', '=', 'running')
    .execute();
  return gone.length;
}

export function isFinal(status: RunStatus): boolean {
  return status !== 'running' && status !== 'queued' && status !== 'interrupted';
}

/** A worker's hold on the runs it carries out (PostgreSQL): who it is, and how long one renewal lasts. */
export interface RunLease {
  owner: string;
  ms: number;
}

/** Thrown when another worker took the run over: this one must stop writing to it at once. */
export class LeaseLost extends Error {
  constructor(runId: number) {
    super(`The lease of run ${runId} was taken over by another worker.`);
  }
}

/** Milliseconds since 1970 on PostgreSQL's clock: leases never compare two machines' clocks. */
const dbNowMs = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Namespace of the transaction lock that makes the claims of one workspace's runs take turns. */
const CLAIM_LOCK_CLASS = 7_410_014;

/**
 * Claims a run for a worker's lease, in one conditional UPDATE (PostgreSQL): a queued or interrupted run,
 * or a running one whose lease has expired (a takeover: it resumes from its last committed batch); of two
 * workers claiming at once one wins. A real run is also refused while another real run of its workspace
 * holds a lease (live or expired: a takeover goes first) or one queued before it still waits, so a
 * workspace applies one run at a time, in the order they were queued. Dry runs write nothing and pass.
 * False when another worker holds the run, it must wait its turn, or it is over.
 */
export async function claimRun(
  db: Db,
  run: Pick<ImportRun, 'id' | 'workspaceId' | 'dryRun'>,
  lease: RunLease,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    // Claims in one workspace take turns, so two of them cannot both see the other's run still waiting.
    await sql`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_CLASS}, ${run.workspaceId})`.execute(trx);
    const claimed = await trx
      .updateTable('import_runs')
      .set({
        status: 'running',
        pid: process.pid,
        host: os.hostname(),
        error: null,
        lease_owner: lease.owner,
        lease_until: sql<number>`${dbNowMs} + ${lease.ms}`,
      })
      .where('id', '=', run.id)
      .where((eb) =>
        eb.or([
          eb('status', 'in', ['queued', 'interrupted']),
          eb.and([eb('status', '=', 'running'), eb('lease_until', '<', dbNowMs)]),
        ]),
      )
      .where((eb) =>
        run.dryRun
          ? eb.lit(true)
          : eb.not(
              eb.exists(
                eb
                  .selectFrom('import_runs as other')
                  .select('other.id')
                  .where('other.workspace_id', '=', run.workspaceId)
                  .where('other.dry_run', '=', 0)
                  .where('other.id', '<>', run.id)
                  .where((o) =>
                    o.or([
                      // A CLI run holds no lease; the workspace lock makes a job wait for it instead.
                      o.and([o('other.status', '=', 'running'), o('other.lease_until', 'is not', null)]),
                      o.and([o('other.status', '=', 'queued'), o('other.id', '<', run.id)]),
                    ]),
                  ),
              ),
            ),
      )
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) === 1;
  });
}

/** Renews the lease of every run `lease.owner` still holds; returns the internal ids of those runs. */
export async function renewLeases(db: Db, lease: RunLease): Promise<number[]> {
  const rows = await db
    .updateTable('import_runs')
    .set({ lease_until: sql<number>`${dbNowMs} + ${lease.ms}` })
    .where('lease_owner', '=', lease.owner)
    .where('status', '=', 'running')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Running runs whose lease has expired (their worker died or lost the database), oldest first. */
export async function listRunsWithExpiredLease(
  db: Db,
): Promise<Pick<ImportRun, 'workspaceId' | 'publicId'>[]> {
  const rows = await db
    .selectFrom('import_runs')
    .select(['workspace_id', 'public_id'])
    .where('status', '=', 'running')
    .where('lease_until', '<', dbNowMs)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ workspaceId: r.workspace_id, publicId: r.public_id }));
}
