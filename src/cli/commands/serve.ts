import type { Command } from 'commander';
import { loadConfig, type Config } from '../../config.js';
import { openDatabase } from '../../db/connection.js';
import { AppError } from '../../errors.js';

/**
 * The server and the job queues (Fastify, pg-boss and their dependencies, about half of the CLI's modules)
 * are loaded by the commands that use them, so every other command starts without them.
 */
const server = () => import('../../server/serve.js');

/** Parses --port: 0 (any free port) to 65535. */
export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new AppError('usage', '--port takes 0 to 65535.');
  return n;
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/**
 * Starts the server, prints where it listens (the first line: tests and scripts read it) and then `banner`,
 * and runs until SIGINT or SIGTERM; the running import stops after its batch.
 */
export async function serveUntilStopped(
  config: Config,
  listen: { port: number; host: string; worker?: boolean },
  opts: { logger?: boolean | object; banner?: (url: string) => string } = {},
): Promise<void> {
  const { startServer } = await server();
  const running = await startServer(config, listen, opts.logger);
  process.stdout.write(`Roster listening on ${running.url}\n`);
  if (opts.banner) process.stdout.write(`${opts.banner(running.url)}\n`);
  const signal = await stopSignal();
  running.app.log.info({ signal }, 'stopping: the running import stops after its batch');
  await running.close();
}

/** `roster serve` (HTTP API, web UI, background imports) and `roster worker` (imports only, PostgreSQL). */
export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API and the web UI; imports run in the background')
    .option('--port <port>', 'TCP port (0: any free port)', port, 3000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--no-worker', 'PostgreSQL: only queue imports; `roster worker` processes run them')
    .action((opts: { port: number; host: string; worker: boolean }) => serveUntilStopped(loadConfig(), opts));

  program
    .command('worker')
    .description('run imports queued by `roster serve` processes (PostgreSQL only: they share the queue)')
    .action(async () => {
      const config = loadConfig();
      if (!config.databaseUrl) {
        throw new AppError(
          'usage',
          'The embedded database runs imports inside `roster serve`.',
          'Set DATABASE_URL to a PostgreSQL server to run separate workers.',
        );
      }
      const { jobQueueFor } = await server();
      const conn = await openDatabase(config);
      const jobs = jobQueueFor(conn, config);
      await jobs.start();
      process.stdout.write('Roster worker waiting for imports\n');
      await stopSignal();
      await jobs.stop();
      await conn.close();
    });
}
