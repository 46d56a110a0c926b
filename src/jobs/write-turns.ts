import { DeleteQueryNode, InsertQueryNode, UpdateQueryNode, type KyselyPlugin, type QueryId } from 'kysely';

/** The longest the worker waits for one write of the event loop (one never reported done is let go). */
const MAX_WAIT_MS = 2_000;

/**
 * Turns at SQLite's single write lock between the server's event loop and the import worker thread.
 *
 * better-sqlite3 waits for the lock synchronously, so a write on the event loop (a sign-in, an upload)
 * while the worker commits batch after batch would stop every request until the worker happened to leave
 * a gap: seconds, or the whole import. The event loop announces each write in shared memory (a Kysely
 * plugin on its connection); after each batch the worker waits until those writes are done.
 */
export class WriteTurns {
  /** When the latest write of the event loop still under way began (Date.now()), or 0. Shared memory. */
  readonly cell: BigInt64Array;

  constructor(cell?: BigInt64Array) {
    this.cell = cell ?? new BigInt64Array(new SharedArrayBuffer(8));
  }

  /** Event loop: a plugin for its connection that announces every INSERT, UPDATE and DELETE. */
  plugin(): KyselyPlugin {
    const waiting = new Map<QueryId, number>();
    const publish = () => {
      const now = Date.now();
      for (const [id, since] of waiting) if (now - since > MAX_WAIT_MS) waiting.delete(id);
      Atomics.store(this.cell, 0, BigInt(waiting.size ? Math.max(...waiting.values()) : 0));
      Atomics.notify(this.cell, 0);
    };
    return {
      transformQuery: ({ node, queryId }) => {
        if (InsertQueryNode.is(node) || UpdateQueryNode.is(node) || DeleteQueryNode.is(node)) {
          waiting.set(queryId, Date.now());
          publish();
        }
        return node;
      },
      transformResult: async ({ queryId, result }) => {
        if (waiting.delete(queryId)) publish();
        return result;
      },
    };
  }

  /** Worker, between batches: waits (blocking the worker thread only) while the event loop has a write waiting. */
  letWritersIn(): void {
    for (;;) {
      const since = Atomics.load(this.cell, 0);
      const left = since === 0n ? 0 : MAX_WAIT_MS - (Date.now() - Number(since));
      if (left <= 0) return;
      Atomics.wait(this.cell, 0, since, left);
    }
  }
}
