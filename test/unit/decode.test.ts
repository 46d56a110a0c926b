import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile, type DecodeOptions } from '../../src/imports/stages/decode.js';
import { FileRejectedError, type Rejection } from '../../src/imports/stages/rejection.js';

let dir: string;
let fileNo = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roster-decode-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(content: Buffer | string): Promise<string> {
  const path = join(dir, `f${++fileNo}.csv`);
  await writeFile(path, content);
  return path;
}

async function decode(content: Buffer | string, opts: DecodeOptions = {}) {
  const file = decodeFile(await fileWith(content), opts);
  const parts: string[] = [];
  for await (const part of file.text) parts.push(part);
  return { text: parts.join(''), info: file.info() };
}

async function rejection(content: Buffer | string, opts: DecodeOptions = {}): Promise<Rejection> {
  const err: unknown = await decode(content, opts).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FileRejectedError);
  return (err as FileRejectedError).rejection;
}

const bytes = (...parts: (string | number[] | Buffer)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const BOM = [0xef, 0xbb, 0xbf];

describe('decodeFile in UTF-8', () => {
  it('reads a file without BOM and reports its size and sha256', async () => {
    const content = 'name,city\nZoë,Zürich\n';
    const { text, info } = await decode(content);
    expect(text).toBe(content);
    expect(info).toEqual({
      bytes: Buffer.byteLength(content),
      sha256: createHash('sha256').update(content).digest('hex'),
      encoding: 'utf-8',
      bom: false,
      warnings: [],
    });
  });

  it('strips a UTF-8 BOM and says it was there', async () => {
    const { text, info } = await decode(bytes(BOM, 'name\n'));
    expect(text).toBe('name\n');
    expect(info).toMatchObject({ bytes: 8, bom: true, encoding: 'utf-8' });
  });

  it('strips a BOM that arrives one byte per chunk', async () => {
    const { text, info } = await decode(bytes(BOM, 'ab'), { highWaterMark: 1 });
    expect(text).toBe('ab');
    expect(info.bom).toBe(true);
  });

  it('decodes characters split across one-byte chunks', async () => {
    const content = 'é,日本,😀\nß\n';
    const { text } = await decode(content, { highWaterMark: 1 });
    expect(text).toBe(content);
  });

  it('rejects invalid UTF-8 naming line 3 and byte offset 11 of "name\\nok\\nbad\\xff"', async () => {
    const r = await rejection(bytes('name\nok\nbad', [0xff]));
    expect(r).toMatchObject({ reason: 'invalid_utf8', line: 3, byteOffset: 11 });
    expect(r.hint).toContain('CSV UTF-8');
    expect(r.hint).toContain('--encoding windows-1252');
  });

  it('counts the BOM in the byte offset of a bad byte', async () => {
    const r = await rejection(bytes(BOM, 'a\n', [0xc3, 0x28]));
    expect(r).toMatchObject({ line: 2, byteOffset: 5 });
  });

  it('names the first bad sequence when it is split across one-byte chunks', async () => {
    const r = await rejection(bytes('é\nx', [0xe2, 0x82], 'y\n', [0xff]), { highWaterMark: 1 });
    expect(r).toMatchObject({ line: 2, byteOffset: 4 });
  });

  it('rejects a multi-byte character cut short at the end of the file', async () => {
    expect(await rejection(bytes('ab\n', [0xe2, 0x82]))).toMatchObject({ line: 2, byteOffset: 3 });
  });

  it('rejects overlong encodings and surrogates', async () => {
    expect(await rejection(bytes('a', [0xc0, 0x80]))).toMatchObject({ byteOffset: 1 });
    expect(await rejection(bytes('ab', [0xed, 0xa0, 0x80]))).toMatchObject({ byteOffset: 2 });
  });

  it('completes the file info even when it rejects the file', async () => {
    const content = bytes([0xff], 'rest of the file\n'.repeat(100));
    const file = decodeFile(await fileWith(content), { highWaterMark: 16 });
    await expect(file.text[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(FileRejectedError);
    expect(file.info()).toMatchObject({
      bytes: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
  });

  it('refuses to give file info before the text is read', () => {
    expect(() => decodeFile('/nonexistent').info()).toThrow(/before the text/);
  });

  it('does not reject an empty file or one holding only a BOM', async () => {
    expect(await decode('')).toMatchObject({ text: '', info: { bytes: 0, bom: false } });
    expect(await decode(Buffer.from(BOM))).toMatchObject({ text: '', info: { bytes: 3, bom: true } });
  });
});

describe('decodeFile line ends', () => {
  it('turns CRLF and lone CR into LF and leaves LF alone', async () => {
    expect((await decode('a\r\nb\rc\nd\r\r\n')).text).toBe('a\nb\nc\nd\n\n');
  });

  it('joins a CR at the end of one chunk with the LF starting the next', async () => {
    for (const highWaterMark of [1, 2, 3]) {
      expect((await decode('a\r\nb\r\n\r\nc\r', { highWaterMark })).text).toBe('a\nb\n\nc\n');
    }
  });
});

describe('decodeFile in UTF-16', () => {
  const content = 'name\r\nZoë 😀\n';
  const le = Buffer.from(content, 'utf16le');
  const be = Buffer.from(le).swap16();

  it('reads little-endian with a BOM and strips the BOM', async () => {
    const { text, info } = await decode(bytes([0xff, 0xfe], le), { encoding: 'utf-16' });
    expect(text).toBe('name\nZoë 😀\n');
    expect(info).toMatchObject({ encoding: 'utf-16le', bom: true, bytes: le.length + 2 });
  });

  it('reads big-endian with a BOM, one byte per chunk', async () => {
    const { text, info } = await decode(bytes([0xfe, 0xff], be), { encoding: 'utf-16', highWaterMark: 1 });
    expect(text).toBe('name\nZoë 😀\n');
    expect(info).toMatchObject({ encoding: 'utf-16be', bom: true });
  });

  it('reads little-endian when there is no BOM', async () => {
    const { text, info } = await decode(le, { encoding: 'utf-16', highWaterMark: 3 });
    expect(text).toBe('name\nZoë 😀\n');
    expect(info).toMatchObject({ encoding: 'utf-16le', bom: false });
  });

  it('reads a UTF-16 BOM without being asked, with an encoding_detected warning', async () => {
    for (const [head, body, order] of [
      [[0xff, 0xfe], le, 'utf-16le'],
      [[0xfe, 0xff], be, 'utf-16be'],
    ] as const) {
      for (const encoding of [undefined, 'windows-1252']) {
        const { text, info } = await decode(bytes([...head], body), { encoding, highWaterMark: 1 });
        expect(text).toBe('name\nZoë 😀\n');
        expect(info).toMatchObject({ encoding: order, bom: true });
        expect(info.warnings).toEqual([expect.objectContaining({ reason: 'encoding_detected', line: 1 })]);
      }
    }
  });
});

describe('decodeFile in other encodings', () => {
  it('reads Shift-JIS with shift_jis', async () => {
    const { text, info } = await decode(
      bytes([0x96, 0xbc, 0x91, 0x4f], ',', [0x93, 0x8c, 0x8b, 0x9e], '\n'),
      { encoding: 'shift_jis', highWaterMark: 1 },
    );
    expect(text).toBe('名前,東京\n');
    expect(info).toMatchObject({ encoding: 'shift_jis', warnings: [] });
  });

  it('refuses an encoding no decoder knows, naming it', () => {
    expect(() => decodeFile('x.csv', { encoding: 'klingon-8' })).toThrow(/Unknown encoding "klingon-8"/);
  });
});

describe('decodeFile in single-byte encodings', () => {
  const high = bytes('a,', [0x80, 0x9f, 0xe9], '\n');

  it('reads windows-1252 with the full table for 0x80–0x9F', async () => {
    const { text, info } = await decode(high, { encoding: 'windows-1252' });
    expect(text).toBe('a,€Ÿé\n');
    expect(info).toMatchObject({ encoding: 'windows-1252', bom: false });
  });

  it('reads latin1 with 0x80–0x9F as control characters', async () => {
    const { text, info } = await decode(high, { encoding: 'latin1', highWaterMark: 1 });
    expect(text).toBe('a,\u0080\u009fé\n');
    expect(info.encoding).toBe('latin1');
  });
});
