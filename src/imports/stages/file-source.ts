import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** A span of a file's bytes, both ends inclusive (as `fs.createReadStream`). */
export interface ByteRange {
  start?: number;
  end?: number;
  /** Read chunk size in bytes (tests use tiny ones). */
  highWaterMark?: number;
}

/**
 * Where the read stages take a file's bytes from: a path on this machine's disk, or an upload kept in the
 * database (`upload-repository.ts`), which any worker on any machine can read.
 */
export interface FileSource {
  open(range?: ByteRange): Readable;
  size(): Promise<number>;
}

/** A path on disk, or a source. */
export type FileInput = string | FileSource;

/** The source of a file: a path is read from disk. */
export function fileSource(file: FileInput): FileSource {
  if (typeof file !== 'string') return file;
  return { open: (range = {}) => createReadStream(file, range), size: async () => (await stat(file)).size };
}

/** The bytes of `range` in one buffer (for the few bytes the format check looks at). */
export async function readBytes(source: FileSource, range: ByteRange): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source.open(range) as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}
