import { loadConfig } from '../config.js';
import type { Db } from '../db/dialect.js';
import type { JobQueue } from '../jobs/queue.js';
import { buildApp } from './app.js';

/**
 * The OpenAPI document of the HTTP API, without a database or a listening server: the routes are only
 * registered, never called, so nothing behind them is needed. What the web UI's types are generated from.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  // Never used: no route is called.
  const unused = {};
  const app = await buildApp({
    db: unused as Db,
    jobs: unused as JobQueue,
    config: loadConfig({}),
    logger: false,
  });
  try {
    await app.ready();
    return structuredClone(app.swagger()) as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
