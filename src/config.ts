import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';

const schema = z.object({
  dataDir: z.string().min(1),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
  workspace: z.string().min(1).optional(),
  busyTimeoutMs: z.coerce.number().int().min(0).max(3_600_000),
  connectTimeoutMs: z.coerce.number().int().min(1).max(600_000),
  statementTimeoutMs: z.coerce.number().int().min(0).max(86_400_000),
  lockTimeoutMs: z.coerce.number().int().min(0).max(86_400_000),
  maxUploadBytes: z.coerce.number().int().min(1),
  leaseMs: z.coerce.number().int().min(1000).max(3_600_000),
  workerConcurrency: z.coerce.number().int().min(1).max(64),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  importNice: z.coerce.number().int().min(0).max(19),
});

export type Config = Readonly<z.infer<typeof schema>>;

/** The environment variables Roster reads, for `--help`. */
export const ENVIRONMENT_HELP = `Environment:
  DATABASE_URL            postgres://… to use a PostgreSQL server (default: the embedded SQLite database)
  ROSTER_DATA_DIR         folder of the embedded database (default: ./data)
  ROSTER_WORKSPACE        workspace slug used when --workspace is not given
  ROSTER_BUSY_TIMEOUT_MS  how long a write waits for another one on SQLite (default: 60000)
  ROSTER_CONNECT_TIMEOUT_MS   how long to wait for PostgreSQL to accept and answer a connection (default: 10000)
  ROSTER_STATEMENT_TIMEOUT_MS longest a single PostgreSQL statement may run, 0 for no limit (default: 600000)
  ROSTER_LOCK_TIMEOUT_MS  how long an import waits for another import into the same workspace (default: 600000)
  ROSTER_MAX_UPLOAD_BYTES largest file \`roster serve\` accepts (default: 1073741824, 1 GiB)
  ROSTER_LEASE_MS         PostgreSQL: a running import's lease; a worker silent this long is taken over (default: 30000)
  ROSTER_WORKER_CONCURRENCY   PostgreSQL: imports a worker runs at once, one per workspace (default: the number of cores)
  ROSTER_LOG_LEVEL        the server's log level: fatal|error|warn|info|debug|trace|silent (default: info)
  ROSTER_IMPORT_NICE      nice value (0-19) of \`roster serve\`'s import thread on SQLite, so reads go first (default: 10)`;

/** Reads and validates the configuration once; every problem is listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse({
    dataDir: path.resolve(env.ROSTER_DATA_DIR || 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    workspace: env.ROSTER_WORKSPACE || undefined,
    busyTimeoutMs: env.ROSTER_BUSY_TIMEOUT_MS || 60_000,
    connectTimeoutMs: env.ROSTER_CONNECT_TIMEOUT_MS || 10_000,
    statementTimeoutMs: env.ROSTER_STATEMENT_TIMEOUT_MS ?? 600_000,
    lockTimeoutMs: env.ROSTER_LOCK_TIMEOUT_MS || 600_000,
    maxUploadBytes: env.ROSTER_MAX_UPLOAD_BYTES || 1024 ** 3,
    leaseMs: env.ROSTER_LEASE_MS || 30_000,
    workerConcurrency: env.ROSTER_WORKER_CONCURRENCY || os.availableParallelism(),
    logLevel: env.ROSTER_LOG_LEVEL || 'info',
    importNice: env.ROSTER_IMPORT_NICE ?? 10,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('config_invalid', `Invalid configuration: ${problems}`);
  }
  return Object.freeze(parsed.data);
}
