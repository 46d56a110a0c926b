import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Db } from '../db/dialect.js';
import { AppError, type AppErrorCode } from '../errors.js';
import type { UndoReport } from '../imports/undo-import.js';
import { runsToResume } from './handle-import.js';
import type { ImportJob, JobQueue } from './queue.js';
import type { FromWorker, ToWorker } from './thread-worker.js';

/** The embedded database's queue: jobs go to one worker thread, in order. */
export class ThreadQueue implements JobQueue {
  private worker: Worker | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (r: UndoReport) => void; reject: (e: Error) => void }
  >();
  private nextRequest = 1;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {}

  async start(): Promise<void> {
    const worker = new Worker(new URL('./thread-worker.js', import.meta.url), {
      workerData: { config: { ...this.config } },
    });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') resolve();
        else this.receive(m);
      });
    });
    worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    for (const job of await runsToResume(this.db)) await this.enqueue(job);
  }

  enqueue(job: ImportJob): Promise<void> {
    this.post({ type: 'import', job });
    return Promise.resolve();
  }

  undo(workspaceId: number, runId: string): Promise<UndoReport> {
    const requestId = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.post({ type: 'undo', requestId, workspaceId, runId });
    });
  }

  stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    this.stopped ??= new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
    });
    return this.stopped;
  }

  private post(message: ToWorker): void {
    if (!this.worker || this.stopped) throw new AppError('invalid_state', 'The import worker is stopping.');
    this.worker.postMessage(message);
  }

  private receive(m: FromWorker): void {
    if (m.type !== 'undone') return;
    const p = this.pending.get(m.requestId);
    if (!p) return;
    this.pending.delete(m.requestId);
    if (m.error) {
      p.reject(new AppError((m.error.code as AppErrorCode) ?? 'internal', m.error.message, m.error.hint));
    } else {
      p.resolve(m.report as UndoReport);
    }
  }
}
