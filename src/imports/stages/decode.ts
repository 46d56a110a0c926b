import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { AppError } from '../../errors.js';
import { unknownEncoding } from '../import-options.js';
import type { Warning } from '../types.js';
import { fileSource, type FileInput, type FileSource } from './file-source.js';
import { FileRejectedError } from './rejection.js';

/**
 * An encoding a user may ask for with `--encoding`: any name iconv-lite knows (`windows-1252`, `latin1`,
 * `utf-16`, `shift_jis`, `gb18030`, `iso-8859-15`, …); UTF-8 is the default.
 */
export type FileEncoding = string;

/** Throws a usage error naming the encoding when no complete decoder knows it. */
export function checkEncoding(name: string): void {
  if (!iconv.encodingExists(name)) throw new AppError('usage', unknownEncoding(name));
}

export interface DecodeOptions {
  encoding?: FileEncoding;
  /** Read chunk size in bytes; tests use tiny ones to split characters across chunks. */
  highWaterMark?: number;
}

/** What the run record keeps about the file. `encoding` is the one actually used, e.g. `utf-16le`. */
export interface FileInfo {
  bytes: number;
  sha256: string;
  encoding: string;
  bom: boolean;
  /** `encoding_detected` when a UTF-16 BOM chose the encoding. */
  warnings: Warning[];
  /** Set for a workbook (`encoding` is then `xlsx`): the format, and the sheet that was read. */
  format?: 'csv' | 'xlsx';
  sheet?: string;
}

export interface DecodedFile {
  /** The file as text, CRLF and lone CR turned into LF, BOM removed. Iterate it once. */
  text: AsyncIterable<string>;
  /** Throws until `text` has finished (to the end, by a rejection, or because the consumer stopped). */
  info: () => FileInfo;
}

/**
 * Stage 1: streams a file (from disk, or an upload in the database) as text. Memory stays constant whatever the file size.
 * Rejects invalid UTF-8 (`invalid_utf8`, naming the first bad byte) by throwing {@link FileRejectedError}
 * from `text`. A UTF-16 BOM is unambiguous: such a file is read as UTF-16 whatever was asked, with an
 * `encoding_detected` warning. An empty file is not rejected here: the parse stage decides.
 */
export function decodeFile(file: FileInput, opts: DecodeOptions = {}): DecodedFile {
  const source = fileSource(file);
  if (opts.encoding !== undefined) checkEncoding(opts.encoding);
  const hash = createHash('sha256');
  let bytes = 0;
  let encoding: string = opts.encoding ?? 'utf-8';
  let bom = false;
  let warnings: Warning[] = [];
  let sha256: string | undefined;

  async function* read(): AsyncGenerator<string> {
    const stream = source.open(opts.highWaterMark ? { highWaterMark: opts.highWaterMark } : {});
    // A hand-driven iterator, because for-await would destroy the stream on early exit and we
    // still want to hash the rest of the file.
    const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let readFailed = false;
    const next = async (): Promise<Buffer | undefined> => {
      const r = await chunks.next().catch((err: unknown) => {
        readFailed = true;
        throw err;
      });
      if (r.done) return undefined;
      hash.update(r.value);
      bytes += r.value.length;
      return r.value;
    };
    const normalize = lineEndNormalizer();
    try {
      // The BOM may arrive split over chunks when they are tiny.
      let head = Buffer.alloc(0);
      let chunk: Buffer | undefined;
      while (head.length < 3 && (chunk = await next())) head = Buffer.concat([head, chunk]);
      const start = startDecoding(head, opts.encoding ?? 'utf-8');
      ({ encoding, bom } = start);
      if (start.detected) warnings = [detectedWarning(encoding, opts.encoding)];
      chunk = head.subarray(start.skip);
      do {
        const text = normalize(start.decoder.write(chunk));
        if (text) yield text;
      } while ((chunk = await next()));
      const tail = normalize(start.decoder.end() ?? '');
      if (tail) yield tail;
    } catch (err) {
      if (err instanceof InvalidUtf8) throw await invalidUtf8Rejection(source, err.offset);
      throw err;
    } finally {
      // Even after a rejection or an early stop, hash to the end: the run record needs the whole
      // file's size and sha256.
      if (!readFailed) {
        while (await next());
        sha256 = hash.digest('hex');
      }
      stream.destroy();
    }
  }

  return {
    text: read(),
    info: () => {
      if (sha256 === undefined) throw new Error('decodeFile: file info is read before the text was consumed');
      return { bytes, sha256, encoding, bom, warnings };
    },
  };
}

interface DecodingStart {
  decoder: { write(chunk: Buffer): string; end(): string | undefined };
  skip: number;
  bom: boolean;
  encoding: string;
  /** A UTF-16 BOM chose the encoding, not the user. */
  detected?: boolean;
}

const UTF16_NAMES = new Set(['utf16', 'utf16le', 'utf16be', 'ucs2']);

function startDecoding(head: Buffer, wanted: FileEncoding): DecodingStart {
  const utf16Bom = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  const canonical = wanted.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (utf16Bom || canonical === 'utf16') {
    const order = head[0] === 0xfe && head[1] === 0xff ? 'utf16be' : 'utf16le';
    // stripBOM off: we skip our own BOM, and a second U+FEFF would be content.
    const decoder = iconv.getDecoder(order, { stripBOM: false });
    const encoding = order.replace('utf16', 'utf-16');
    return {
      decoder,
      skip: utf16Bom ? 2 : 0,
      bom: utf16Bom,
      encoding,
      detected: !UTF16_NAMES.has(canonical),
    };
  }
  if (canonical === 'utf8') {
    const utf8Bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    const skip = utf8Bom ? 3 : 0;
    return { decoder: new Utf8Decoder(skip), skip, bom: utf8Bom, encoding: 'utf-8' };
  }
  // Any other encoding iconv-lite knows; it strips a BOM of its own (UTF-32, GB18030) itself.
  return { decoder: iconv.getDecoder(wanted), skip: 0, bom: false, encoding: wanted };
}

function detectedWarning(encoding: string, wanted: string | undefined): Warning {
  const asked = wanted && wanted.toLowerCase() !== 'utf-8' ? ` instead of ${wanted}` : '';
  return {
    line: 1,
    reason: 'encoding_detected',
    message: `The file starts with a UTF-16 byte order mark, so it was read as ${encoding.toUpperCase()}${asked}.`,
  };
}

/** Internal: where the first bad UTF-8 sequence starts, before we know its line. */
class InvalidUtf8 extends Error {
  constructor(readonly offset: number) {
    super(`invalid UTF-8 at byte ${offset}`);
  }
}

/**
 * Validates as it decodes (Node's `isUtf8` is the fast path). A sequence cut by a chunk end is
 * carried over to the next chunk; one still open at end of file is invalid.
 */
class Utf8Decoder {
  private carry = Buffer.alloc(0);

  /** @param offset file offset of the first byte it will be given (after a BOM). */
  constructor(private offset: number) {}

  write(chunk: Buffer): string {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const bufStart = this.offset - this.carry.length;
    this.offset += chunk.length;
    const cut = completeLength(buf);
    const whole = buf.subarray(0, cut);
    if (!isUtf8(whole)) throw new InvalidUtf8(bufStart + firstInvalidUtf8(whole));
    this.carry = Buffer.from(buf.subarray(cut));
    return whole.toString('utf8');
  }

  end(): string | undefined {
    if (this.carry.length) throw new InvalidUtf8(this.offset - this.carry.length);
    return undefined;
  }
}

/** Length of `buf` without a trailing multi-byte sequence that is still missing bytes. */
function completeLength(buf: Buffer): number {
  let i = buf.length - 1;
  while (i >= 0 && i > buf.length - 4 && ((buf[i] ?? 0) & 0xc0) === 0x80) i--;
  if (i < 0) return buf.length;
  const lead = buf[i] ?? 0;
  const size = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 1;
  return lead < 0xf5 && buf.length - i < size ? i : buf.length;
}

/** Index of the first byte of the first ill-formed sequence (WHATWG rules, as `isUtf8` applies). */
function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (need === 0) return i;
    // The second byte's range excludes overlongs, surrogates and code points above U+10FFFF.
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return buf.length;
}

/** Re-reads the file up to the bad byte to count its line: only on this rare path, never in the hot loop. */
async function invalidUtf8Rejection(source: FileSource, byteOffset: number): Promise<FileRejectedError> {
  let lineFeeds = 0;
  if (byteOffset > 0) {
    for await (const chunk of source.open({ end: byteOffset - 1 }) as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lineFeeds++;
    }
  }
  const line = lineFeeds + 1;
  return new FileRejectedError({
    reason: 'invalid_utf8',
    line,
    byteOffset,
    message: `The file is not valid UTF-8: line ${line} has an invalid byte sequence at byte ${byteOffset}.`,
    hint: 'Save the file as “CSV UTF-8” in your spreadsheet, or pass --encoding windows-1252 if it came from an older Excel.',
  });
}

/** CRLF and lone CR become LF, also when a CR ends one chunk and its LF starts the next. */
function lineEndNormalizer(): (text: string) => string {
  let pendingCr = false;
  return (text) => {
    if (text === '') return text; // e.g. half a character: nothing decoded, the CR is still pending
    const s = pendingCr && text.charCodeAt(0) === 10 ? text.slice(1) : text;
    pendingCr = s.charCodeAt(s.length - 1) === 13;
    return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
  };
}
