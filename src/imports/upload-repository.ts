import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Db } from '../db/dialect.js';
import { now } from '../domain/text.js';
import type { ByteRange, FileSource } from './stages/file-source.js';

/** What a run records as its `file_path` for an upload kept in the database. */
const PREFIX = 'db-upload:';
/** One row a MiB: a 1 GiB file is 1,024 statements, and one chunk is all a reader or writer holds. */
export const CHUNK_BYTES = 2 ** 20;

/** True for the `file_path` of an upload kept in the database (not a path on some machine's disk). */
export function isDatabaseUpload(ref: string | null): ref is string {
  return ref !== null && ref.startsWith(PREFIX);
}

const idOf = (ref: string) => ref.slice(PREFIX.length);

/**
 * Streams `body` into `uploads` / `upload_chunks` (PostgreSQL), one chunk inserted before more is read,
 * so memory holds one chunk however large the file. On any failure nothing is left behind. Returns the
 * reference a run records, and the size.
 */
export async function saveUpload(
  db: Db,
  body: AsyncIterable<Buffer> | Iterable<Buffer>,
): Promise<{ ref: string; bytes: number }> {
  const id = randomUUID();
  await db.insertInto('uploads').values({ id, bytes: 0, complete: 0, created_at: now() }).execute();
  let bytes = 0;
  try {
    let seq = 0;
    let parts: Buffer[] = [];
    let size = 0;
    const flush = async (data: Buffer) => {
      await db.insertInto('upload_chunks').values({ upload_id: id, seq: seq++, data }).execute();
    };
    for await (const chunk of body) {
      bytes += chunk.length;
      parts.push(chunk);
      size += chunk.length;
      while (size >= CHUNK_BYTES) {
        const all = Buffer.concat(parts, size);
        await flush(all.subarray(0, CHUNK_BYTES));
        parts = [all.subarray(CHUNK_BYTES)];
        size -= CHUNK_BYTES;
      }
    }
    if (size > 0) await flush(Buffer.concat(parts, size));
    await db.updateTable('uploads').set({ bytes, complete: 1 }).where('id', '=', id).execute();
  } catch (err) {
    await db
      .deleteFrom('uploads')
      .where('id', '=', id)
      .execute()
      .catch(() => undefined);
    throw err;
  }
  return { ref: PREFIX + id, bytes };
}

/** True while the whole upload is kept. */
export async function uploadExists(db: Db, ref: string): Promise<boolean> {
  const row = await db
    .selectFrom('uploads')
    .select('id')
    .where('id', '=', idOf(ref))
    .where('complete', '=', 1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Deletes an upload and its chunks. */
export async function deleteUpload(db: Db, ref: string): Promise<void> {
  await db.deleteFrom('uploads').where('id', '=', idOf(ref)).execute();
}

/** Every kept upload (the sweep of forgotten ones), with when it arrived. */
export async function listUploads(db: Db): Promise<{ ref: string; createdAt: string }[]> {
  const rows = await db.selectFrom('uploads').select(['id', 'created_at']).execute();
  return rows.map((r) => ({ ref: PREFIX + r.id, createdAt: r.created_at }));
}

/** An upload as the read stages see it: read back one chunk at a time, from any machine. */
export function uploadSource(db: Db, ref: string): FileSource {
  const id = idOf(ref);
  const size = async () => {
    const row = await db
      .selectFrom('uploads')
      .select('bytes')
      .where('id', '=', id)
      .where('complete', '=', 1)
      .executeTakeFirst();
    if (!row) throw missing(ref);
    return Number(row.bytes);
  };
  async function* chunks(range: ByteRange): AsyncGenerator<Buffer> {
    const start = range.start ?? 0;
    const end = range.end ?? Infinity;
    if (!(await uploadExists(db, ref))) throw missing(ref);
    for (let seq = Math.floor(start / CHUNK_BYTES); seq * CHUNK_BYTES <= end; seq++) {
      const row = await db
        .selectFrom('upload_chunks')
        .select('data')
        .where('upload_id', '=', id)
        .where('seq', '=', seq)
        .executeTakeFirst();
      if (!row) return;
      const from = Math.max(0, start - seq * CHUNK_BYTES);
      const to = Math.min(row.data.length, end + 1 - seq * CHUNK_BYTES);
      if (to > from) yield row.data.subarray(from, to);
    }
  }
  return {
    // highWaterMark (bytes) is kept as the stream's buffer: one chunk ahead at most.
    open: (range = {}) => Readable.from(chunks(range), { objectMode: false }),
    size,
  };
}

/** What the stages throw for an upload that is gone, as for a missing file on disk (resumable). */
function missing(ref: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: upload ${idOf(ref)} is no longer kept`), {
    code: 'ENOENT',
    path: `upload ${idOf(ref)}`,
    syscall: 'open',
  });
}

/** What the read stages open for a run's `file_path`: an upload in the database, or a path on this disk. */
export function runFileInput(db: Db, file: string): string | FileSource {
  return isDatabaseUpload(file) ? uploadSource(db, file) : file;
}
