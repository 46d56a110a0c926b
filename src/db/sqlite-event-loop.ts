import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * The SQLite connection of a process that serves requests on its event loop (`roster serve`).
 *
 * better-sqlite3 waits for SQLite's write lock synchronously. With Kysely's own SQLite driver, a write that
 * meets another process's lock (a `roster imports undo` from the CLI, say) stops the whole event loop for up
 * to the busy timeout: every request, `/healthz` included, waits with it. Here:
 * - statements that only read run on a second handle of their own, at once (WAL: readers never wait for a
 *   writer), never queued behind a write;
 * - a write that finds the lock taken gives the event loop back and tries again a few milliseconds later,
 *   until `waitMs` has passed; then it fails with SQLITE_BUSY, which the server answers as 503
 *   `database_busy` with Retry-After.
 * Kysely's single-connection rule holds for writes: one write or transaction at a time, in order.
 */
export class EventLoopSqliteDialect implements Dialect {
  constructor(
    private readonly handles: { writer: SQLite.Database; reader: SQLite.Database; waitMs: number },
  ) {}

  createAdapter() {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new EventLoopSqliteDriver(this.handles);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}

const CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b/i;
const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']);
const isBusy = (err: unknown) => BUSY.has(String((err as { code?: unknown } | undefined)?.code));

class EventLoopSqliteDriver implements Driver {
  private turn: Promise<void> = Promise.resolve();

  constructor(readonly handles: { writer: SQLite.Database; reader: SQLite.Database; waitMs: number }) {}

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new EventLoopConnection(this));
  }

  /** Waits for the writer handle (one write or transaction at a time); resolves to its release. */
  async takeWriter(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = this.turn;
    this.turn = before.then(() => mine);
    await before;
    return release;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as EventLoopConnection).release();
  }
  async destroy(): Promise<void> {
    this.handles.reader.close();
    this.handles.writer.close();
  }
}

/** What Kysely acquires for one query or one transaction; it takes the writer only when it writes. */
class EventLoopConnection implements DatabaseConnection {
  private releaseWriter: (() => void) | undefined;

  constructor(private readonly driver: EventLoopSqliteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { reader, writer, waitMs } = this.driver.handles;
    if (!this.releaseWriter) {
      // SQLite counts BEGIN, COMMIT and PRAGMA as read-only: they belong to the writer all the same.
      if (!CONTROL.test(query.sql)) {
        const read = reader.prepare(query.sql);
        if (read.readonly) return run<R>(read, query);
      }
      this.releaseWriter = await this.driver.takeWriter();
    }
    const deadline = Date.now() + waitMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        return run<R>(writer.prepare(query.sql), query);
      } catch (err) {
        // Only a statement that started no transaction of its own may simply run again; a busy statement
        // inside a deferred transaction must fail so the transaction is rolled back and retried whole.
        if (!isBusy(err) || writer.inTransaction || Date.now() >= deadline) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used on the event loop');
  }

  release(): void {
    this.releaseWriter?.();
    this.releaseWriter = undefined;
  }
}

function run<R>(stmt: SQLite.Statement, { parameters }: CompiledQuery): QueryResult<R> {
  if (stmt.reader) return { rows: stmt.all(parameters as unknown[]) as R[] };
  const { changes, lastInsertRowid } = stmt.run(parameters as unknown[]);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}
