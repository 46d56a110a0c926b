import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/imports/stages/decode.js';
import { readBytes } from '../../src/imports/stages/file-source.js';
import { FileRejectedError } from '../../src/imports/stages/rejection.js';
import {
  CHUNK_BYTES,
  deleteUpload,
  saveUpload,
  uploadExists,
  uploadSource,
} from '../../src/imports/upload-repository.js';
import { backend, type TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

/** A body that arrives in uneven pieces, as a network stream does. */
function pieces(data: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts);
}

describe.runIf(backend === 'postgres')('uploads kept in PostgreSQL', () => {
  let t: TestDatabase;
  useWorldPerTest((db) => {
    t = db;
  });

  it('stores a file in 1 MiB chunks and reads back every byte, and any range of them', async () => {
    const data = Buffer.alloc(2 * CHUNK_BYTES + 12_345);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
    const { ref, bytes } = await saveUpload(t.conn.db, pieces(data, 65_537));
    expect(bytes).toBe(data.length);
    const chunks = await t.conn.db.selectFrom('upload_chunks').select('seq').execute();
    expect(chunks).toHaveLength(3);

    const source = uploadSource(t.conn.db, ref);
    expect(await source.size()).toBe(data.length);
    expect((await readBytes(source, {})).equals(data)).toBe(true);
    const from = CHUNK_BYTES - 10;
    const to = 2 * CHUNK_BYTES + 5;
    expect((await readBytes(source, { start: from, end: to })).equals(data.subarray(from, to + 1))).toBe(
      true,
    );

    await deleteUpload(t.conn.db, ref);
    expect(await uploadExists(t.conn.db, ref)).toBe(false);
    expect(await t.conn.db.selectFrom('upload_chunks').select('seq').execute()).toEqual([]);
  });

  it('leaves nothing behind when the body fails half-way', async () => {
    async function* failing() {
      yield Buffer.alloc(CHUNK_BYTES + 1, 'a');
      throw new Error('client went away');
    }
    await expect(saveUpload(t.conn.db, failing())).rejects.toThrow('client went away');
    expect(await t.conn.db.selectFrom('uploads').select('id').execute()).toEqual([]);
    expect(await t.conn.db.selectFrom('upload_chunks').select('seq').execute()).toEqual([]);
  });

  it('is decoded like a file on disk: a bad byte in the second chunk is named on its line', async () => {
    const line = 'email,first_name\n';
    const lines = Math.ceil((CHUNK_BYTES + 100) / line.length);
    const data = Buffer.concat([Buffer.from(line.repeat(lines)), Buffer.from([0xff]), Buffer.from('\n')]);
    const { ref } = await saveUpload(t.conn.db, pieces(data, 1 << 16));
    const file = decodeFile(uploadSource(t.conn.db, ref));
    const err = await (async () => {
      for await (const _ of file.text);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileRejectedError);
    expect((err as FileRejectedError).rejection).toMatchObject({ reason: 'invalid_utf8', line: lines + 1 });
    expect(file.info().bytes).toBe(data.length);
  });
});
