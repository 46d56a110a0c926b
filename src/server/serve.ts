import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { openDatabase, type Connection } from '../db/connection.js';
import { dialectOf, type Db, type JobQueueName } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { pruneSessions } from '../domain/sessions.js';
import { BossQueue } from '../jobs/boss-queue.js';
import { sweepUploads } from '../imports/service/uploads.js';
import type { JobQueue } from '../jobs/queue.js';
import { ThreadQueue } from '../jobs/thread-queue.js';
import { buildApp } from './app.js';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  /** Stops taking requests, lets the running import reach the end of its batch, then closes the database. */
  close(): Promise<void>;
}

const QUEUES: Record<JobQueueName, (db: Db, config: Config, work: boolean) => JobQueue> = {
  'pg-boss': (db, config, work) => new BossQueue(db, config, { work }),
  'worker-thread': (db, config) => new ThreadQueue(db, config),
};

/** The job queue the database's dialect names: pg-boss on PostgreSQL, a worker thread on SQLite. */
export function jobQueueFor(conn: Connection, config: Config, work = true): JobQueue {
  return QUEUES[dialectOf(conn.db).jobQueue](conn.db, config, work);
}

/** `roster serve`: the HTTP API (and web UI) with background imports; resumes interrupted runs on start. */
export async function startServer(
  config: Config,
  listen: { port: number; host: string; worker?: boolean },
  logger?: boolean | object,
): Promise<RunningServer> {
  if (listen.worker === false && !config.databaseUrl) {
    throw new AppError(
      'usage',
      'On the embedded database `roster serve` runs the imports itself; --no-worker needs PostgreSQL.',
      'Set DATABASE_URL to a PostgreSQL server to run imports in separate `roster worker` processes.',
    );
  }
  const conn = await openDatabase(config, { eventLoop: true });
  const jobs = jobQueueFor(conn, config, listen.worker ?? true);
  // On SQLite, the event loop's writes take turns with the import worker's batches (jobs/write-turns.ts).
  const db = jobs instanceof ThreadQueue ? jobs.sharingWrites(conn.db) : conn.db;
  const app = await buildApp({ db, config, jobs, logger });
  await jobs.start();
  const maintenance = setInterval(() => {
    void Promise.all([pruneSessions(db), sweepUploads(db, config)]).catch((err: unknown) =>
      app.log.warn({ err }, 'maintenance failed'),
    );
  }, 60 * 60_000);
  maintenance.unref();
  await Promise.all([pruneSessions(db), sweepUploads(db, config)]);
  const url = await app.listen({ port: listen.port, host: listen.host });
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    close: () =>
      (closing ??= (async () => {
        clearInterval(maintenance);
        await app.close();
        await jobs.stop();
        await conn.close();
      })()),
  };
}
