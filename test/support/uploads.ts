import fs from 'node:fs';
import path from 'node:path';
import type { TestServer } from './server.js';
import { backend, type TestDatabase } from './test-db.js';

/**
 * The uploads a server keeps waiting for their runs: files in its upload folder on SQLite, rows of the
 * `uploads` table on PostgreSQL (where any worker on any machine reads them).
 */
export async function storedUploads(t: TestDatabase, server: TestServer): Promise<string[]> {
  if (backend === 'postgres') {
    const rows = await t.conn.db.selectFrom('uploads').select('id').execute();
    return rows.map((r) => r.id);
  }
  const dir = path.join(server.dataDir, 'uploads');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/**
 * The uploads left once the server has had up to 10 s to delete them: a run is seen completed a moment
 * before its worker deletes its upload, longer on a loaded machine.
 */
export async function uploadsLeft(t: TestDatabase, server: TestServer): Promise<string[]> {
  const until = Date.now() + 10_000;
  while ((await storedUploads(t, server)).length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return storedUploads(t, server);
}
