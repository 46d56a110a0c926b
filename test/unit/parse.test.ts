import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/imports/stages/decode.js';
import { parseCsv, type CsvRecord, type ParseOptions } from '../../src/imports/stages/parse.js';
import { FileRejectedError, type Rejection } from '../../src/imports/stages/rejection.js';

/** The text as the decode stage would hand it over, cut into chunks of `size` characters. */
async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

type Options = Partial<ParseOptions>;

/** Parses `text` fed in chunks of `size`; by default a re-read gets small chunks, to test the scan. */
async function records(text: string, opts: Options = {}, size = 1000): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  const options = { reopen: () => chunked(text, 7), ...opts };
  for await (const record of parseCsv(chunked(text, size), options)) out.push(record);
  return out;
}

async function rejection(text: string, opts: Options = {}): Promise<Rejection> {
  const err: unknown = await records(text, opts).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(FileRejectedError);
  return (err as FileRejectedError).rejection;
}

describe('parseCsv', () => {
  it('numbers records by physical line with the header on line 1', async () => {
    expect(await records('name,city\nAda,London\nBob,Paris\n')).toEqual([
      { line: 1, cells: ['name', 'city'] },
      { line: 2, cells: ['Ada', 'London'] },
      { line: 3, cells: ['Bob', 'Paris'] },
    ]);
  });

  it('reads a last record without a final line break', async () => {
    expect(await records('a\nb')).toEqual([
      { line: 1, cells: ['a'] },
      { line: 2, cells: ['b'] },
    ]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', async () => {
    const text = 'name,notes\n"Smith, Ada","said ""hi""\nthen\nleft"\nBob,x\n';
    expect(await records(text)).toEqual([
      { line: 1, cells: ['name', 'notes'] },
      { line: 2, cells: ['Smith, Ada', 'said "hi"\nthen\nleft'] },
      { line: 5, cells: ['Bob', 'x'] },
    ]);
  });

  it('gives the same lines when the text arrives one character at a time', async () => {
    const text = 'h\n\n"a\nb",c\n\nd,"e""f"\nx\n';
    expect(await records(text, {}, 1)).toEqual(await records(text));
    expect((await records(text, {}, 1)).map((r) => r.line)).toEqual([1, 3, 6, 7]);
  });

  it('skips blank lines but counts them', async () => {
    const text = 'name\n\nAda\n\n\nBob\n\n';
    expect((await records(text)).map((r) => [r.line, r.cells[0]])).toEqual([
      [1, 'name'],
      [3, 'Ada'],
      [6, 'Bob'],
    ]);
  });

  it('leaves spaces and a wrong number of fields to later stages', async () => {
    expect((await records('a,b\n x ,y,z\n'))[1]).toEqual({ line: 2, cells: [' x ', 'y', 'z'] });
  });

  it('keeps a quote inside an unquoted field as text', async () => {
    expect((await records('a,b\n5" pipe,x\n'))[1]?.cells).toEqual(['5" pipe', 'x']);
  });

  it('splits on a semicolon when asked to', async () => {
    expect(await records('name;city\n"Ada; Jr";Zürich\n', { delimiter: ';' })).toEqual([
      { line: 1, cells: ['name', 'city'] },
      { line: 2, cells: ['Ada; Jr', 'Zürich'] },
    ]);
  });

  it('rejects a delimiter that is not one character', async () => {
    await expect(records('a', { delimiter: ';;' })).rejects.toThrow(/one character/);
  });
});

describe('parseCsv rejections', () => {
  it('reports an unterminated quote on line 3 of a 6-line file', async () => {
    const text = 'name,notes\nAda,ok\nBob,"never closed\nCid,x\nDan,y\nEve,z\n';
    const r = await rejection(text);
    expect(r).toMatchObject({ reason: 'unterminated_quote', line: 3 });
    expect(r.hint).toBe('Close the quote or remove the stray " on line 3.');
  });

  it('finds the opening line after a closed multi-line field in the same record', async () => {
    const text = 'a,b,c\n"x\ny",z,"open\nmore\n';
    expect(await rejection(text)).toMatchObject({ reason: 'unterminated_quote', line: 3 });
  });

  it('finds the opening line after blank lines and records csv-parse had not handed over yet', async () => {
    const text = 'a\n\nb\n"c"\nd\n' + 'e\n'.repeat(100) + '\n\n"never closed\nf\n';
    expect(await rejection(text)).toMatchObject({ reason: 'unterminated_quote', line: 108 });
  });

  it('counts quoted line breaks, doubled quotes and stray quotes before the unclosed one', async () => {
    const text = 'h,i\n"x\ny",5" pipe\n\n"a""b",c\n"d"e,f\nok,"open\nz\n';
    expect(await rejection(text)).toMatchObject({ reason: 'unterminated_quote', line: 7 });
  });

  it('rejects an unclosed quote that would swallow more than 4 MiB before the file ends', async () => {
    const text = 'a\n"open\n' + 'filler line\n'.repeat(400_000);
    expect(await rejection(text, { reopen: () => chunked(text, 65536) })).toMatchObject({
      reason: 'unterminated_quote',
      line: 2,
    });
  });

  it('rejects a quoted field longer than 4 MiB as malformed', async () => {
    const text = 'a\nb\n"open\n' + 'filler line\n'.repeat(400_000) + '"\nc\n';
    expect(await rejection(text, { reopen: () => chunked(text, 65536) })).toMatchObject({
      reason: 'malformed_csv',
      line: 3,
    });
  });

  it('rejects a file without any record as empty', async () => {
    for (const text of ['', '\n\n\n']) {
      const r = await rejection(text);
      expect(r).toMatchObject({ reason: 'empty_file', line: 1 });
      expect(r.hint).toContain('header row');
    }
  });

  it('passes a decode rejection through unchanged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-parse-'));
    try {
      const path = join(dir, 'bad.csv');
      await writeFile(path, Buffer.from([0x61, 0x0a, 0x62, 0xff]));
      const err: unknown = await (async () => {
        for await (const _ of parseCsv(decodeFile(path).text, { reopen: () => decodeFile(path).text }))
          void _;
      })().catch((e: unknown) => e);
      expect((err as FileRejectedError).rejection).toMatchObject({ reason: 'invalid_utf8', line: 2 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseCsv on a decoded file', () => {
  it('completes the file info when the consumer stops after the header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-parse-'));
    try {
      const path = join(dir, 'long.csv');
      const content = 'name\n' + 'Ada\n'.repeat(10_000);
      await writeFile(path, content);
      const file = decodeFile(path, { highWaterMark: 64 });
      for await (const r of parseCsv(file.text, { reopen: () => decodeFile(path).text }))
        if (r.line === 1) break;
      expect(file.info().bytes).toBe(content.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads CRLF, a BOM and quoted line breaks with the right lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-parse-'));
    try {
      const path = join(dir, 'crlf.csv');
      await writeFile(path, '\uFEFFname,notes\r\n"Ada","a\r\nb"\r\n\r\nBob,x\r\n');
      const file = decodeFile(path, { highWaterMark: 4 });
      const out: CsvRecord[] = [];
      for await (const r of parseCsv(file.text, { reopen: () => decodeFile(path).text })) out.push(r);
      expect(out).toEqual([
        { line: 1, cells: ['name', 'notes'] },
        { line: 2, cells: ['Ada', 'a\nb'] },
        { line: 5, cells: ['Bob', 'x'] },
      ]);
      expect(file.info().bom).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
