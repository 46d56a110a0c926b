import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { KINDS } from '../../src/imports/kinds/index.js';
import { checkHeader, proposeColumns, type HeaderOptions } from '../../src/imports/stages/check-header.js';
import { FileRejectedError, type Rejection } from '../../src/imports/stages/rejection.js';
import type { KindName } from '../../src/imports/types.js';
import { foreignExports, headerOf } from '../support/foreign-exports.js';

const check = (cells: string[], kind: KindName = 'contacts', opts: Partial<HeaderOptions> = {}) =>
  checkHeader(cells, KINDS[kind].columns, { kind, delimiterGiven: false, ...opts });

function rejection(
  cells: string[],
  kind: KindName = 'contacts',
  opts: Partial<HeaderOptions> = {},
): Rejection {
  try {
    check(cells, kind, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(FileRejectedError);
    return (err as FileRejectedError).rejection;
  }
  throw new Error('the header was accepted');
}

function usageError(
  cells: string[],
  mapping: Record<string, string | null>,
  kind: KindName = 'contacts',
): AppError {
  try {
    check(cells, kind, { mapping });
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('usage');
    return err as AppError;
  }
  throw new Error('the mapping was accepted');
}

describe('checkHeader: recognised headers', () => {
  for (const family of foreignExports()) {
    it(`reads the email and name columns of a ${family.family} export, leaving the rest out`, () => {
      const header = check(headerOf(family.file, family.headerLine), 'contacts', { ignoreUnknown: true });
      const read = header.columns.filter((c) => c !== null);
      expect(read.sort()).toEqual(['email', 'first_name', 'last_name']);
      expect(header.warnings.filter((w) => w.reason === 'columns_ignored')).toHaveLength(1);
    });
  }

  it('names both header cells and the column in a header_mapped warning', () => {
    const header = check(['E-mail 1 - Value', 'Given Name']);
    expect(header.columns).toEqual(['email', 'first_name']);
    expect(header.warnings).toEqual([
      expect.objectContaining({
        reason: 'header_mapped',
        column: 'email',
        message: expect.stringContaining('"E-mail 1 - Value"'),
      }),
      expect.objectContaining({ reason: 'header_mapped', column: 'first_name' }),
    ]);
    expect(header.mapping).toEqual({
      columns: { 'E-mail 1 - Value': 'email', 'Given Name': 'first_name' },
      leftOut: [],
    });
  });

  it('treats space, -, _ and . alike and ignores case', () => {
    expect(check(['e.mail_1 -  VALUE', 'FIRST-NAME']).columns).toEqual(['email', 'first_name']);
  });

  it('does not read a second address as email', () => {
    expect(rejection(['Email', 'E-mail 2 - Value'])).toMatchObject({
      reason: 'unknown_column',
      columns: [{ name: 'E-mail 2 - Value' }],
    });
  });

  it('rejects two header cells read as one column, naming both', () => {
    const r = rejection(['email', 'Email Address']);
    expect(r).toMatchObject({ reason: 'duplicate_column', column: 'email' });
    expect(r.message).toContain('"email" and "Email Address"');
  });

  it("does not read Google Contacts' Labels (its groups) as labels", () => {
    const r = rejection(['E-mail 1 - Value', 'Labels']);
    expect(r).toMatchObject({ reason: 'unknown_column', columns: [{ name: 'Labels' }] });
    expect(r.hint).toContain('Google Contacts groups');
    // Without Google's marker, Labels is the labels column with any case.
    expect(check(['email', 'Labels']).columns).toEqual(['email', 'labels']);
  });

  it('has an alias table for every kind', () => {
    expect(check(['Customer', 'E-mail', 'Job Title'], 'positions').columns).toEqual([
      'customer_ref',
      'email_address',
      'position_name',
    ]);
  });
});

describe('checkHeader: unknown columns', () => {
  it('names every unknown column at once, each with its suggestion', () => {
    const r = rejection(['email', 'frist_name', 'Phone', 'last_nmae', 'Notes']);
    expect(r.reason).toBe('unknown_column');
    expect(r.columns).toEqual([
      { name: 'frist_name', suggestion: 'first_name' },
      { name: 'Phone' },
      { name: 'last_nmae', suggestion: 'last_name' },
      { name: 'Notes' },
    ]);
    expect(r.message).toBe('4 columns are not of this import: "frist_name", "Phone", "last_nmae", "Notes".');
    expect(r.hint).toContain('--ignore-unknown');
    expect(r.hint).toContain('--map');
  });

  it('leaves them out with ignoreUnknown, in one columns_ignored warning', () => {
    const header = check(['email', 'Phone', '_note', 'Notes'], 'contacts', { ignoreUnknown: true });
    expect(header.columns).toEqual(['email', null, '_note', null]);
    expect(header.warnings).toEqual([
      expect.objectContaining({
        reason: 'columns_ignored',
        message: '2 columns left out: "Phone", "Notes".',
      }),
    ]);
    expect(header.mapping.leftOut).toEqual(['Phone', 'Notes']);
  });

  it('ignores empty cells past the last header cell (a trailing comma)', () => {
    expect(check(['email', 'first_name', '', ' ']).columns).toEqual(['email', 'first_name']);
    expect(rejection(['email', '', 'first_name'])).toMatchObject({ reason: 'unknown_column' });
  });
});

describe('checkHeader: explicit mapping', () => {
  it('reads SOURCE as TARGET and leaves out a source mapped to nothing', () => {
    const header = check(['Mail', 'Vorname', 'Telefon'], 'contacts', {
      mapping: { Mail: 'email', Vorname: 'first_name', Telefon: null },
    });
    expect(header.columns).toEqual(['email', 'first_name', null]);
    expect(header.mapping).toEqual({
      columns: { Mail: 'email', Vorname: 'first_name' },
      leftOut: ['Telefon'],
    });
  });

  it('maps a custom field variable for contacts', () => {
    const header = check(['email', 'Tier'], 'contacts', { extra: ['tier'], mapping: { Tier: 'tier' } });
    expect(header.columns).toEqual(['email', 'tier']);
  });

  it('wins over an alias', () => {
    const header = check(['email', 'First Name'], 'contacts', { mapping: { 'First Name': 'last_name' } });
    expect(header.columns).toEqual(['email', 'last_name']);
  });

  it('is a usage error listing what is valid for a source the header lacks', () => {
    const err = usageError(['email', 'Vorname'], { Firstname: 'first_name' });
    expect(err.message).toContain('the header has no column "Firstname"');
    expect(err.message).toContain('Columns of the file: "email", "Vorname"');
  });

  it('is a usage error for a target the kind lacks', () => {
    const err = usageError(['email', 'Vorname'], { Vorname: 'given_name' });
    expect(err.message).toContain('"given_name" is not a column of this import');
    expect(err.message).toContain('Columns of this import: email, first_name, last_name');
  });

  it('is a usage error for two sources of one target', () => {
    const err = usageError(['Mail', 'E-Mail'], { Mail: 'email', 'E-Mail': 'email' });
    expect(err.message).toContain('"Mail" and "E-Mail" are both mapped to "email"');
  });
});

describe('the columns proposed to the mapping step', () => {
  const known = KINDS.contacts.columns.map((c) => c.name);
  const propose = (cells: string[], remembered: Record<string, string | null> = {}) =>
    proposeColumns(cells, { kind: 'contacts', known, remembered }).map((p) => [p.name, p.target, p.why]);

  it('tries the exact column, a recognised header, the last choice, a close match, in that order', () => {
    expect(
      propose(['email', 'First Name', 'Surname', 'Mobil', 'lables', 'Fax', '_note', ''], {
        Mobil: null,
        Fax: 'company_id',
        Surname: 'first_name',
      }),
    ).toEqual([
      ['email', 'email', 'exact'],
      ['First Name', 'first_name', 'alias'],
      ['Surname', 'last_name', 'alias'],
      ['Mobil', null, 'remembered'],
      ['lables', 'labels', 'close'],
      ['Fax', 'company_id', 'remembered'],
      ['_note', null, 'note'],
    ]);
  });

  it('proposes no column twice, and never reads Google’s Labels as labels', () => {
    const google = headerOf(
      foreignExports().find((f) => f.family.startsWith('Google Contacts (current'))!.file,
    );
    const proposed = proposeColumns(google, { kind: 'contacts', known, remembered: {} });
    const targets = proposed.map((p) => p.target).filter((t) => t !== null);
    expect(new Set(targets).size).toBe(targets.length);
    expect(proposed.find((p) => p.name === 'Labels')).toMatchObject({
      target: null,
      note: expect.any(String),
    });
    expect(propose(['email', 'Email Address'])).toEqual([
      ['email', 'email', 'exact'],
      ['Email Address', null, null],
    ]);
  });
});
