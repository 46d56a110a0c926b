import type { UndoReport } from '../imports/undo-import.js';

/** A queued or interrupted import run to carry out. */
export interface ImportJob {
  workspaceId: number;
  runId: string;
}

/**
 * Where imports run in the background. On PostgreSQL a pg-boss queue that any number of worker processes
 * on any number of machines share; on the embedded database a worker thread of the server process. Either
 * way the HTTP server's event loop never runs an import's statements.
 */
export interface JobQueue {
  /** Hands a run to the workers; resolves once it is safely queued. */
  enqueue(job: ImportJob): Promise<void>;
  /** Undoes a completed run off the event loop and returns its report. */
  undo(workspaceId: number, runId: string): Promise<UndoReport>;
  /**
   * Records that an API token was used, in the background: on SQLite the worker thread writes it, because
   * a write on the event loop would stop every request for as long as an import holds the write lock.
   */
  recordTokenUse(tokenId: number): void;
  /** Starts the workers, and queues again every run left queued or interrupted by a stop or a crash. */
  start(): Promise<void>;
  /** Stops taking jobs; a running import stops after its current batch (left interrupted, resumed on start). */
  stop(): Promise<void>;
}
