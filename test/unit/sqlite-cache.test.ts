import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { IMPORT_CACHE_KIB, openSqlite } from '../../src/db/sqlite-dialect.js';
import type { Db } from '../../src/db/dialect.js';

describe('the SQLite page cache', () => {
  const opened: Db[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-cache-'));
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.destroy();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cacheOf = async (eventLoop: boolean) => {
    const db = openSqlite(loadConfig({ ROSTER_DATA_DIR: dir, DATABASE_URL: '' }), { eventLoop });
    opened.push(db);
    const { rows } = await sql<{ cache_size: number }>`PRAGMA cache_size`.execute(db);
    return rows[0]?.cache_size;
  };

  it('is 64 MiB on an import’s connection and better-sqlite3’s 16 MiB on the server’s', async () => {
    // Negative: KiB, not pages. The server's handle keeps the default, so its memory does not grow.
    expect(await cacheOf(false)).toBe(-IMPORT_CACHE_KIB);
    expect(IMPORT_CACHE_KIB).toBe(65_536);
    expect(await cacheOf(true)).toBe(-16_000);
  });
});
