import PgBoss from 'pg-boss';
import type { Config } from '../config.js';
import type { Db } from '../db/dialect.js';
import { recordTokenUse } from '../domain/tokens.js';
import type { UndoReport } from '../imports/undo-import.js';
import { runsToResume } from '../imports/service/import-service.js';
import { handleImportJob, undoJob } from './handle-import.js';
import type { ImportJob, JobQueue } from './queue.js';

const QUEUE = 'roster-import';

/**
 * PostgreSQL's queue: pg-boss keeps the jobs in the database, so API processes and `roster worker`
 * processes on any number of machines share them. PostgreSQL's driver is asynchronous, so this process's
 * own worker runs in the event loop without blocking it.
 */
export class BossQueue implements JobQueue {
  private readonly boss: PgBoss;
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly options: { work: boolean } = { work: true },
  ) {
    this.boss = new PgBoss({ connectionString: config.databaseUrl!, schema: 'roster_jobs', max: 2 });
    this.boss.on('error', (err) => process.emitWarning(`job queue: ${err.message}`));
  }

  async start(): Promise<void> {
    await this.boss.start();
    // A job whose worker died is retried after it expires; the run itself says where to continue.
    await this.boss.createQueue(QUEUE, { name: QUEUE, retryLimit: 3, retryDelay: 5, expireInHours: 23 });
    if (this.options.work) {
      await this.boss.work<ImportJob>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
        for (const job of jobs) await handleImportJob(this.db, this.config, job.data, this.stopping.signal);
      });
    }
    for (const job of await runsToResume(this.db)) await this.enqueue(job);
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
    this.stopping.abort();
    await this.boss.stop({ graceful: true, timeout: 60_000, wait: true });
  }
}
