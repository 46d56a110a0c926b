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
import { SqliteReaders } from './sqlite-readers.js';

/**
 * The SQLite connection of a process that serves requests on its event loop (`roster serve`).
 *
 * better-sqlite3 waits for SQLite's write lock synchronously. With Kysely's own SQLite driver, a write that
 * meets another process's lock (a `roster imports undo` from the CLI, say) stops the whole event loop for up
 * to the busy timeout: every request, `/healthz` included, waits with it. Here:
 * - statements that only read run on reader threads of their own (sqlite-readers.ts), at once (WAL:
 *   readers never wait for a writer), never queued behind a write, and never on the event loop;
 * - a write that finds the lock taken gives the event loop back and tries again a few milliseconds later,
 *   until `waitMs` has passed; then it fails with SQLITE_BUSY, which the server answers as 503
 *   `database_busy` with Retry-After.
 * Kysely's single-connection rule holds for writes: one write or transaction at a time, in order.
 */
export class EventLoopSqliteDialect implements Dialect {
  constructor(private readonly handles: Handles) {}

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

interface Handles {
  writer: SQLite.Database;
  /** On the event loop: it tells which statements only read, and reads when no reader thread is left. */
  reader: SQLite.Database;
  waitMs: number;
  /** The database file, for the reader threads' handles. */
  file: string;
}

/** Reader threads: two, so that a long search and a short read can run at once. */
const READER_THREADS = 2;

const CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b/i;
const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']);
const isBusy = (err: unknown) => BUSY.has(String((err as { code?: unknown } | undefined)?.code));

class EventLoopSqliteDriver implements Driver {
  private turn: Promise<void> = Promise.resolve();
  readers: SqliteReaders | undefined;
  /** Whether a statement text only reads (and returns rows), as SQLite says once it has prepared it. */
  private readonly readsOnly = new Map<string, boolean>();
  private starting: Promise<void> | undefined;

  constructor(readonly handles: Handles) {}

  /**
   * Starts the reader threads without waiting for them: until they are up (their modules loaded, which takes
   * a while on a busy machine), and if they cannot start, reads run on the event loop's own read handle.
   */
  async init(): Promise<void> {
    this.starting = SqliteReaders.start(this.handles.file, READER_THREADS).then(
      (readers) => {
        this.readers = readers;
      },
      () => undefined,
    );
  }

  /** The statement, when it is one a reader may run: read-only, returning rows, outside a transaction. */
  readOnly(query: CompiledQuery): boolean {
    let known = this.readsOnly.get(query.sql);
    if (known === undefined) {
      // SQLite counts BEGIN, COMMIT and PRAGMA as read-only: they belong to the writer all the same.
      const statement = CONTROL.test(query.sql) ? undefined : this.handles.reader.prepare(query.sql);
      known = statement !== undefined && statement.readonly && statement.reader;
      if (this.readsOnly.size >= 2000) this.readsOnly.clear();
      this.readsOnly.set(query.sql, known);
    }
    return known;
  }

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
    await this.starting;
    await this.readers?.close();
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
      if (this.driver.readOnly(query)) {
        const readers = this.driver.readers;
        if (readers?.size) return { rows: (await readers.read(query.sql, query.parameters)) as R[] };
        return run<R>(reader.prepare(query.sql), query);
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
