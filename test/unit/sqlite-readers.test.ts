import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteReaders } from '../../src/db/sqlite-readers.js';

/** The built reader thread: `npm test` builds first (the TypeScript sources cannot run as a worker). */
const SCRIPT = new URL('../../dist/db/sqlite-reader-thread.js', import.meta.url);
/** A read that keeps a reader busy for a while: counting to two million. */
const SLOW = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) SELECT count(*) AS c FROM n`;

describe('the SQLite reader threads', () => {
  let dir: string;
  let file: string;
  let writer: SQLite.Database;
  let readers: SqliteReaders | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-readers-'));
    file = path.join(dir, 'roster.sqlite');
    writer = new SQLite(file);
    writer.pragma('journal_mode = WAL');
    writer.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)`);
  });
  afterEach(async () => {
    await readers?.close();
    readers = undefined;
    writer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('read what the writer has committed, with blobs as Buffers and fold_case registered', async () => {
    readers = await SqliteReaders.start(file, 2, SCRIPT);
    writer.prepare(`INSERT INTO t (name, data) VALUES (?, ?)`).run('ΟΔΟΣ', Buffer.from('abc'));
    const rows = await readers.read(`SELECT name, fold_case(name) AS folded, data FROM t WHERE id = ?`, [1]);
    expect(rows).toEqual([{ name: 'ΟΔΟΣ', folded: 'οδοσ', data: Buffer.from('abc') }]);
    expect(Buffer.isBuffer((rows[0] as { data: unknown }).data)).toBe(true);
    writer.prepare(`INSERT INTO t (name) VALUES (?)`).run('b');
    expect(await readers.read(`SELECT count(*) AS n FROM t`, [])).toEqual([{ n: 2 }]);
  });

  it('fail as the statement fails, with SQLite’s code', async () => {
    readers = await SqliteReaders.start(file, 1, SCRIPT);
    await expect(readers.read(`SELECT nope FROM t`, [])).rejects.toMatchObject({
      code: 'SQLITE_ERROR',
      message: expect.stringContaining('no such column: nope'),
    });
    // The reader is still there.
    expect(await readers.read(`SELECT 1 AS one`, [])).toEqual([{ one: 1 }]);
  });

  it('leave the event loop free while a long read runs, and let a short read pass it', async () => {
    readers = await SqliteReaders.start(file, 2, SCRIPT);
    const order: string[] = [];
    const slow = readers.read(SLOW, []).then(() => order.push('slow read'));
    await new Promise((resolve) => setImmediate(resolve));
    order.push('event loop');
    await readers.read(`SELECT 1 AS one`, []).then(() => order.push('short read'));
    await slow;
    expect(order).toEqual(['event loop', 'short read', 'slow read']);
  });

  it('reject the reads in flight when closed', async () => {
    readers = await SqliteReaders.start(file, 1, SCRIPT);
    const pending = expect(readers.read(SLOW, [])).rejects.toThrow('The database readers have stopped.');
    await readers.close();
    await pending;
    await expect(readers.read(`SELECT 1`, [])).rejects.toThrow('The database readers have stopped.');
    readers = undefined;
  });
});
