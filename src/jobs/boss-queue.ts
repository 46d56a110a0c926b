import PgBoss from 'pg-boss';
import type { Config } from '../config.js';
import type { Db } from '../db/dialect.js';
import { recordTokenUse } from '../domain/tokens.js';
import { listRunsWithExpiredLease } from '../imports/run-repository.js';
import type { UndoReport } from '../imports/undo-import.js';
import { runsToResume } from '../imports/service/import-service.js';
import { runLeased } from '../imports/service/leased-runs.js';
import { undoJob } from './handle-import.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { ImportJob, JobQueue } from './queue.js';

const QUEUE = 'roster-import';
/** How soon a job whose workspace is busy asks again (it holds no worker meanwhile). */
const WAIT_SECONDS = 1;
/** What PostgreSQL answers a process that made the queue at the same time as another: deadlock_detected,
 * serialization_failure, unique_violation, duplicate_table. */
const RACED = new Set(['40P01', '40001', '23505', '42P07']);

/**
 * How pg-boss's settings agree with the run leases. pg-boss 10 has no job heartbeat, so its expiry only
 * bounds how long a job may run (it would otherwise hand a live import to a second worker); a dead worker is
 * found by its run's lease (ROSTER_LEASE_MS), which every worker sweeps for each third of a lease, queueing
 * a takeover. A job that throws (a fault of the moment: the run is left interrupted) is retried soon, with
 * backoff; the claim makes a retry of a run that is live or over a no-op.
 */
export const QUEUE_OPTIONS = {
  retryLimit: 10,
  retryDelay: 2,
  retryBackoff: true,
  // The longest import a job may carry (pg-boss allows less than 24 h).
  expireInSeconds: 23 * 3600,
} as const;

/**
 * PostgreSQL's queue: pg-boss keeps the jobs in the database, so API processes and `roster worker`
 * processes on any number of machines share them. A worker runs up to ROSTER_WORKER_CONCURRENCY imports
 * at once, each under a lease its keeper renews; the claim lets one run of a workspace apply at a time, in
 * queue order, and a job that must wait goes back to the queue instead of holding a worker.
 */
export class BossQueue implements JobQueue {
  private readonly boss: PgBoss;
  private readonly stopping = new AbortController();
  private readonly keeper: LeaseKeeper | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly options: { work: boolean } = { work: true },
  ) {
    this.boss = new PgBoss({ connectionString: config.databaseUrl!, schema: 'roster_jobs', max: 4 });
    this.boss.on('error', (err) => process.emitWarning(`job queue: ${err.message}`));
    if (options.work) this.keeper = new LeaseKeeper(config);
  }

  async start(): Promise<void> {
    await this.boss.start();
    await this.ensureQueue();
    if (this.keeper) {
      const keeper = this.keeper;
      keeper.start();
      const deps = { db: this.db, config: this.config };
      // One pg-boss worker per slot: each fetches a job when it is free, so a busy slot never holds one.
      for (let slot = 0; slot < this.config.workerConcurrency; slot++) {
        await this.boss.work<ImportJob>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
          if (!job) return;
          const outcome = await runLeased(deps, job.data, keeper, this.stopping.signal);
          // Waiting its turn, or stopped half-way by this worker's shutdown: queued again for whoever is free.
          if (outcome === 'wait') await this.boss.send(QUEUE, job.data, { startAfter: WAIT_SECONDS });
          if (outcome === 'stopped') await this.enqueue(job.data);
        });
      }
      this.sweeper = setInterval(() => void this.queueTakeovers(), Math.max(500, this.config.leaseMs / 3));
    }
    for (const job of await runsToResume(this.db)) await this.enqueue(job);
  }

  /**
   * Creates the queue if no process has yet, and gives it this version's settings. pg-boss's create_queue
   * adds a partition to its job table, and processes starting at once (workers on several machines) can
   * deadlock on it or race to the same table: PostgreSQL then fails one of them, which only has to try
   * again to find the queue made.
   */
  private async ensureQueue(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await this.boss.getQueue(QUEUE)))
          await this.boss.createQueue(QUEUE, { name: QUEUE, ...QUEUE_OPTIONS });
        // A queue made by an older version keeps its settings until told otherwise.
        await this.boss.updateQueue(QUEUE, { name: QUEUE, ...QUEUE_OPTIONS });
        return;
      } catch (err) {
        if (attempt >= 8 || !RACED.has((err as { code?: string }).code ?? '')) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 200));
      }
    }
  }

  /** Queues a takeover of every run whose lease expired (one job per run and lease, however many sweep). */
  private async queueTakeovers(): Promise<void> {
    try {
      const singletonSeconds = Math.max(1, Math.ceil(this.config.leaseMs / 1000));
      for (const run of await listRunsWithExpiredLease(this.db)) {
        // Ahead of new jobs: the next free slot anywhere resumes a run whose worker died.
        await this.boss.send(
          QUEUE,
          { workspaceId: run.workspaceId, runId: run.publicId },
          { singletonKey: `takeover-${run.publicId}`, singletonSeconds, priority: 10 },
        );
      }
    } catch (err) {
      process.emitWarning(`lease sweep: ${(err as Error).message}`);
    }
  }

  async enqueue(job: ImportJob): Promise<void> {
    await this.boss.send(QUEUE, job);
  }

  async undo(workspaceId: number, runId: string): Promise<UndoReport> {
    return undoJob(this.db, this.config, workspaceId, runId);
  }

  recordTokenUse(tokenId: number): void {
    // PostgreSQL's driver does not block the event loop: written at once, not awaited by the request.
    recordTokenUse(this.db, tokenId).catch((err: Error) => process.emitWarning(`token use: ${err.message}`));
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.stopping.abort();
    // The keeper renews until the last running import has stopped at its batch and been handed back.
    await this.boss.stop({ graceful: true, timeout: 60_000, wait: true });
    await this.keeper?.stop();
  }
}
