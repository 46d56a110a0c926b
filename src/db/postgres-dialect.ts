import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Db, Dialect } from './dialect.js';
import { attachDriver } from './insert-many.js';

// COUNT(*) and BIGINT come back from pg as strings; every count Roster reads fits in a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/** Namespace of Roster's PostgreSQL advisory locks (the second key is the workspace id). */
const ADVISORY_CLASS = 7_410_001;

/** PostgreSQL 15 through pg: many writers, row locks, and a planner that wants statistics. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  maxParams: 60_000, // of 65535
  nullSafeEqual: 'IS NOT DISTINCT FROM',
  // The driver is asynchronous, and pg-boss hands jobs to whichever `roster serve` or `roster worker` polls.
  jobQueue: 'pg-boss',
  uploads: 'database',
  // Writers do not wait for each other at the start; a plain transaction is enough.
  writeTransaction: (db, fn) => db.transaction().execute(fn),
  // A session advisory lock, on one connection held until `fn` settles; the server releases it if the
  // process dies.
  holdWorkspaceLock: (db, { workspaceId }, acquire, fn) =>
    db.connection().execute(async (conn) => {
      await acquire(async () => {
        const { rows } = await sql<{
          ok: boolean;
        }>`SELECT pg_try_advisory_lock(${ADVISORY_CLASS}, ${workspaceId}) AS ok`.execute(conn);
        return rows[0]?.ok === true;
      });
      try {
        return await fn();
      } finally {
        await sql`SELECT pg_advisory_unlock(${ADVISORY_CLASS}, ${workspaceId})`.execute(conn);
      }
    }),
  // A parallel worker started for a statement over a few thousand rows costs more than it saves (seen on every
  // batch's SELECT).
  tuneBatchTransaction: async (trx) => {
    await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(trx);
  },
  // The planner misjudges how many of a batch's rows find their record by a two-column key (9 of 32,000
  // links) and what an index probe costs in a table it has in memory: it hashed all of customer_contacts (1M
  // links, ~0.2 s) for each batch of 1M positions, and contacts and their links for each batch of contacts.
  joiningByKey: async (trx, fn) => {
    const { rows } = await sql<{
      hash: string;
      merge: string;
    }>`SELECT current_setting('enable_hashjoin') AS hash,
        current_setting('enable_mergejoin') AS merge,
        set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`.execute(trx);
    const result = await fn();
    // Not after a failure: the transaction is aborted then, and its settings go with it.
    await sql`SELECT set_config('enable_hashjoin', ${rows[0]!.hash}, true),
      set_config('enable_mergejoin', ${rows[0]!.merge}, true)`.execute(trx);
    return result;
  },
  // Freshly inserted rows have no statistics until autovacuum gets to them, and without them PostgreSQL
  // nests loops over the whole run (seen: 20 s instead of 20 ms for one plan statement on 5,000 rows). The
  // tables the plan joins with are analyzed too: a previous large import may have doubled them since
  // autovacuum last looked, and stale counts turn the per-batch joins into sequential scans.
  analyzeStaging: async (db) => {
    await sql`ANALYZE import_rows, import_row_labels, import_row_values, contacts, customers, customer_contacts, users`.execute(
      db,
    );
  },
  codePointOrder: (expr) => sql`${expr} COLLATE "C"`,
  // lower() folds as the database's locale does (all of Unicode under a UTF-8 locale, ASCII under "C").
  foldedSql: (expr) => sql<string>`lower(${expr})`,
  isUniqueViolation: (err) => (err as { code?: unknown } | undefined)?.code === '23505',
  // The table's own row type gives each column its type.
  jsonRows: (table, columns, json) =>
    sql`(SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM jsonb_populate_recordset(NULL::${sql.table(table)}, CAST(${json} AS jsonb)))`,
  // to_json of NULL is NULL, not the JSON null.
  jsonText: (expr) => sql<string>`coalesce(CAST(to_json(${expr}) AS text), 'null')`,
};

/** Opens a pool of `poolSize` connections (default four) to the server at `url`. */
export function openPostgres(
  url: string,
  config: Pick<Config, 'connectTimeoutMs' | 'statementTimeoutMs'>,
  poolSize = 4,
): Db {
  // A server that accepts the connection but never answers must not hang the CLI: the connect timeout
  // covers the handshake, the statement timeout (server side, and the same on the client for a server
  // that stops answering) any single statement.
  const statement = config.statementTimeoutMs || undefined;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: config.connectTimeoutMs,
    // Both ends notice a machine that vanished (power, network) within about half a minute: the server
    // then ends its session, releasing the workspace lock it held, so another worker can take its run over.
    keepAlive: true,
    options: '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3',
    statement_timeout: statement,
    query_timeout: statement === undefined ? undefined : statement + 5_000,
  });
  // An idle client whose connection the server ends (restart, timeout) emits 'error' on the pool; without a
  // listener that would crash the process. The pool drops the client and opens a new one when needed.
  pool.on('error', (err) => process.emitWarning(`PostgreSQL connection lost: ${err.message}`));
  const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  attachDriver(db, { pool });
  return db;
}
