import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, parseImportOptions } from '../../src/imports/import-options.js';
import { KINDS } from '../../src/imports/kinds/index.js';

describe('import options', () => {
  it('fills in every default when nothing is given', () => {
    expect(parseImportOptions({})).toEqual({
      dryRun: false,
      customerKey: 'ref',
      ignoreCase: false,
      labels: 'add',
      blank: 'keep',
      batchSize: 1000,
    });
    expect(DEFAULT_OPTIONS).toEqual(parseImportOptions(undefined));
  });

  it('reads form fields (strings) and CLI flags (booleans, numbers) alike', () => {
    const form = parseImportOptions({
      dryRun: 'true',
      ignoreCase: 'false',
      batchSize: '50',
      delimiter: '\\t',
    });
    const flags = parseImportOptions({ dryRun: true, ignoreCase: false, batchSize: 50, delimiter: '\\t' });
    expect(form).toEqual(flags);
    expect(form).toMatchObject({ dryRun: true, ignoreCase: false, batchSize: 50, delimiter: '\t' });
  });

  it('reads a stored run back as it was written', () => {
    const options = parseImportOptions({ labels: 'replace', delimiter: '\\t', encoding: 'latin1' });
    expect(parseImportOptions(JSON.parse(JSON.stringify(options)))).toEqual(options);
  });

  it('names every bad option in one error, as the caller spells it', () => {
    const bad = () =>
      parseImportOptions(
        { customerKey: 'email', batchSize: 0 },
        { code: 'usage', name: (o) => `--${o.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` },
      );
    expect(bad).toThrow(/--customer-key: .*; --batch-size: /);
    expect(bad).toThrow(expect.objectContaining({ code: 'usage' }));
  });

  it('lets only the kinds that name customers take --customer-key, and only contacts --labels', () => {
    const taking = (option: string) =>
      Object.values(KINDS)
        .filter((k) => (k.options as readonly string[]).includes(option))
        .map((k) => k.name)
        .sort();
    expect(taking('labels')).toEqual(['contacts']);
    expect(taking('customerKey')).toEqual(
      ['contacts', 'mark-primary', 'persons', 'positions', 'unmark-primary'].sort(),
    );
  });
});

describe('import options of files from other systems', () => {
  it('takes any encoding iconv-lite knows, and names an unknown one with what is valid', () => {
    expect(parseImportOptions({ encoding: 'shift_jis' }).encoding).toBe('shift_jis');
    expect(() => parseImportOptions({ encoding: 'klingon-8' }, { code: 'usage' })).toThrow(
      /encoding: Unknown encoding "klingon-8"\. Use utf-8 .*shift_jis/,
    );
  });

  it('reads a mapping as an object (the CLI) or as JSON text (the upload form) alike', () => {
    const mapping = { 'Given Name': 'first_name', Notes: null };
    expect(parseImportOptions({ mapping }).mapping).toEqual(mapping);
    expect(parseImportOptions({ mapping: JSON.stringify(mapping) }).mapping).toEqual(mapping);
    expect(() => parseImportOptions({ mapping: '{"Given Name": 3}' })).toThrow(/^mapping: /);
    expect(() => parseImportOptions({ mapping: 'not json' })).toThrow(/^mapping: /);
  });

  it('reads the header line, sheet and ignoreUnknown from form text and flags alike', () => {
    const form = parseImportOptions({ headerLine: '4', sheet: 'Contacts', ignoreUnknown: 'true' });
    expect(form).toEqual(parseImportOptions({ headerLine: 4, sheet: 'Contacts', ignoreUnknown: true }));
    expect(form).toMatchObject({ headerLine: 4, sheet: 'Contacts', ignoreUnknown: true });
    expect(() => parseImportOptions({ headerLine: 0 })).toThrow(/^headerLine: /);
  });
});
