import { quoted } from '../../domain/text.js';
import { AppError } from '../../errors.js';
import { HEADER_ALIASES, LOOK_ALIKES, headerKey } from '../kinds/header-aliases.js';
import type { ColumnMapping, HeaderMapping, KindName, Warning } from '../types.js';
import { closestMatch } from '../../domain/did-you-mean.js';
import { FileRejectedError, type UnknownColumn } from './rejection.js';

export interface ColumnSpec {
  name: string;
  required: boolean;
}

/**
 * The header mapped to canonical columns, one entry per header cell: a note for people (`_…`) keeps its
 * (trimmed) name; a column left out (`--ignore-unknown`, `--map "X="`) is null.
 */
export interface CheckedHeader {
  columns: (string | null)[];
  warnings: Warning[];
  /** What was read under another name, and what was left out (the report's `mapping`). */
  mapping: HeaderMapping;
}

export interface HeaderOptions {
  /** The kind whose aliases apply. */
  kind: KindName;
  /** Columns beside the kind's own (contacts: the workspace's custom field variables). */
  extra?: readonly string[];
  delimiterGiven: boolean;
  /** Leave columns that are not the kind's out, listed in one `columns_ignored` warning. */
  ignoreUnknown?: boolean;
  /** Explicit mapping, by header cell as written (trimmed): a column, or null to leave it out. */
  mapping?: ColumnMapping;
}

/**
 * Checks the header row against a kind's columns (plus `extra` columns such as custom fields). Surrounding
 * spaces and upper case are forgiven with a warning, so are the kind's recognised headers (aliases) and what
 * an explicit mapping says; anything else that is wrong rejects the file. A mapping that does not fit the
 * header or the kind is a usage error listing what is valid.
 */
export function checkHeader(
  rawCells: string[],
  spec: readonly ColumnSpec[],
  opts: HeaderOptions,
): CheckedHeader {
  const known = [...spec.map((c) => c.name), ...(opts.extra ?? [])];
  if (!opts.delimiterGiven && rawCells.length === 1) rejectOtherDelimiter(rawCells[0] ?? '');
  // Trailing empty cells (a trailing comma, as Thunderbird writes) are no columns.
  let width = rawCells.length;
  while (width > 0 && rawCells[width - 1]!.trim() === '') width--;
  const cells = rawCells.slice(0, width).map((c) => c.trim());
  const explicit = checkMapping(opts.mapping ?? {}, cells, known);

  const byKey = aliasIndex(opts.kind, known);
  const lookAlikes = (LOOK_ALIKES[opts.kind] ?? []).filter((l) =>
    cells.some((c) => headerKey(c) === headerKey(l.marker)),
  );
  const warnings: Warning[] = [];
  const columns: (string | null)[] = [];
  const unknown: UnknownColumn[] = [];
  const mapping: HeaderMapping = { columns: {}, leftOut: [] };
  cells.forEach((cell, i) => {
    const raw = rawCells[i]!;
    if (explicit.has(cell)) {
      const target = explicit.get(cell) ?? null;
      columns.push(target);
      if (target === null) mapping.leftOut.push(cell);
      else if (target !== cell) {
        mapping.columns[cell] = target;
        warnings.push(mapped(cell, target, 'as mapped'));
      }
      return;
    }
    if (isNoteColumn(cell)) return void columns.push(cell);
    if (known.includes(cell)) {
      if (cell !== raw) warnings.push(normalized(raw, cell));
      return void columns.push(cell);
    }
    const lookAlike = lookAlikes.find((l) => l.columns.includes(cell));
    const folded = lookAlike ? undefined : known.find((k) => k === cell.toLowerCase());
    if (folded !== undefined) {
      warnings.push(normalized(raw, folded));
      return void columns.push(folded);
    }
    const alias = lookAlike ? undefined : byKey.get(headerKey(cell));
    if (alias !== undefined) {
      mapping.columns[cell] = alias;
      warnings.push(mapped(cell, alias, 'a recognised header'));
      return void columns.push(alias);
    }
    columns.push(null);
    const suggestion = lookAlike ? undefined : closestMatch(cell, known);
    unknown.push({
      name: cell,
      ...(suggestion && { suggestion }),
      ...(lookAlike && {
        note: `In a ${lookAlike.exportName} export this column holds ${lookAlike.meaning}.`,
      }),
    });
  });

  if (unknown.length > 0 && !opts.ignoreUnknown) rejectUnknown(unknown, known);
  if (unknown.length > 0) {
    mapping.leftOut.push(...unknown.map((u) => u.name));
    warnings.push({
      line: 1,
      reason: 'columns_ignored',
      message: `${plural(unknown.length, 'column')} left out: ${unknown.map((u) => quote(u.name)).join(', ')}.`,
    });
  }
  rejectDuplicates(cells, columns);
  const seen = new Set(columns);
  const missing = spec.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new FileRejectedError({
      reason: 'missing_column',
      line: 1,
      column: missing[0],
      message: `Required column${missing.length > 1 ? 's' : ''} ${missing.map(quote).join(', ')} missing.`,
      hint: `This import needs the columns ${spec
        .filter((c) => c.required)
        .map((c) => c.name)
        .join(', ')}. Recognised headers: ${missing.map((m) => aliasList(opts.kind, m)).join('; ')}.`,
    });
  }
  return { columns, warnings, mapping };
}

/** Columns whose name starts with `_` are notes for people, ignored by every import. */
export function isNoteColumn(name: string): boolean {
  return name.startsWith('_');
}

/** Every alias of the kind (and each column's own name in alias form) by its comparison key. */
function aliasIndex(kind: KindName, known: readonly string[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const [column, aliases] of Object.entries(HEADER_ALIASES[kind])) {
    for (const alias of aliases) index.set(headerKey(alias), column);
  }
  for (const column of known) index.set(headerKey(column), column);
  return index;
}

function aliasList(kind: KindName, column: string): string {
  const aliases = HEADER_ALIASES[kind][column] ?? [];
  return aliases.length ? `${column} (${aliases.map(quote).join(', ')})` : column;
}

/** The explicit mapping by header cell; a source the header lacks or a target the kind lacks is a usage error. */
function checkMapping(mapping: ColumnMapping, cells: string[], known: string[]): Map<string, string | null> {
  const result = new Map<string, string | null>();
  const problems: string[] = [];
  const sourcesOf = new Map<string, string[]>();
  for (const [rawSource, target] of Object.entries(mapping)) {
    const source = rawSource.trim();
    if (!cells.includes(source)) problems.push(`the header has no column ${quote(source)}`);
    if (target !== null && target !== '' && !known.includes(target)) {
      problems.push(`${quote(target)} is not a column of this import`);
    }
    const column = target === '' ? null : target;
    if (column !== null) sourcesOf.set(column, [...(sourcesOf.get(column) ?? []), source]);
    result.set(source, column);
  }
  for (const [target, sources] of sourcesOf) {
    if (sources.length > 1)
      problems.push(`${sources.map(quote).join(' and ')} are both mapped to ${quote(target)}`);
  }
  if (problems.length > 0) {
    throw new AppError(
      'usage',
      `The mapping does not fit: ${problems.join('; ')}.\n` +
        `Columns of the file: ${cells.map(quote).join(', ')}.\n` +
        `Columns of this import: ${known.join(', ')}.`,
      'Map each column as "SOURCE=TARGET" (a column of the file = a column of this import), or "SOURCE=" to leave it out.',
    );
  }
  return result;
}

function rejectUnknown(unknown: UnknownColumn[], known: string[]): never {
  const named = unknown.map((u) => (u.name ? quote(u.name) : 'one without a name'));
  const suggested = unknown.filter((u) => u.suggestion);
  const suggestions =
    suggested.length === 0
      ? []
      : unknown.length === 1
        ? [`Did you mean ${quote(suggested[0]!.suggestion!)}?`]
        : [
            `Did you mean ${suggested.map((u) => `${quote(u.suggestion!)} for ${quote(u.name)}`).join(', ')}?`,
          ];
  const notes = unknown.flatMap((u) => (u.note ? [`${quote(u.name)}: ${u.note}`] : []));
  throw new FileRejectedError({
    reason: 'unknown_column',
    line: 1,
    column: unknown[0]!.name,
    columns: unknown,
    message:
      unknown.length > 1
        ? `${unknown.length} columns are not of this import: ${named.join(', ')}.`
        : unknown[0]!.name
          ? `Unknown column ${quote(unknown[0]!.name)}.`
          : 'A column of the header has no name.',
    hint:
      [...suggestions, ...notes].map((s) => `${s} `).join('') +
      `Columns of this import: ${known.join(', ')}. Pass --ignore-unknown to leave the other columns out, ` +
      `--map "SOURCE=COLUMN" to read one as a column, or start a column name with "_" to keep it as a note.`,
  });
}

/** Two header cells read as one column reject the file, naming both. */
function rejectDuplicates(cells: string[], columns: (string | null)[]): void {
  const first = new Map<string, number>();
  columns.forEach((column, i) => {
    if (column === null) return;
    const earlier = first.get(column);
    if (earlier === undefined) return void first.set(column, i);
    const both =
      cells[earlier] === cells[i]
        ? quote(cells[i]!) + ' twice'
        : `${quote(cells[earlier]!)} and ${quote(cells[i]!)}`;
    throw new FileRejectedError({
      reason: 'duplicate_column',
      line: 1,
      column,
      message: `Column ${quote(column)} appears twice: ${both}.`,
      hint: 'Keep one of them, leave one out with --map "NAME=", or rename it with a leading "_" to keep it as a note.',
    });
  });
}

function rejectOtherDelimiter(only: string): void {
  const found = [';', '\t'].find((d) => only.includes(d));
  if (!found) return;
  const shown = found === '\t' ? 'tab' : '";"';
  throw new FileRejectedError({
    reason: 'wrong_delimiter',
    line: 1,
    message: `The header is separated by ${shown}, not by commas.`,
    hint: `Save the file as comma-separated CSV, or pass --delimiter ${found === '\t' ? '"\\t"' : '";"'}.`,
  });
}

function mapped(source: string, column: string, why: string): Warning {
  return {
    line: 1,
    reason: 'header_mapped',
    column,
    message: `Column ${quote(source)} was read as "${column}" (${why}).`,
  };
}

function normalized(raw: string, column: string): Warning {
  return {
    line: 1,
    reason: 'header_normalized',
    column,
    message: `Column ${quote(raw)} was read as "${column}".`,
  };
}

/** A header cell or column in a message: escaped and capped (a 2 MB header cell must not come back whole). */
const quote = (s: string) => quoted(s);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Why a column was proposed for a header cell, in the order they are tried (a note is no column). */
export type ProposalReason = 'exact' | 'alias' | 'remembered' | 'close' | 'note';

export interface ProposedColumn {
  /** The header cell as written, trimmed. */
  name: string;
  /** The column proposed for it, or null: leave it out. */
  target: string | null;
  why: ProposalReason | null;
  /** What the cell holds in an export it marks (Google's `Labels`), when it looks like a column but is not. */
  note?: string;
}

/**
 * What the web UI's mapping step preselects for each header cell, in this order: the exact column, a
 * recognised header (alias, any case), what the workspace chose last for that header (`remembered`, a
 * column or null), a close match; else nothing (leave it out). A column already taken by an earlier cell is
 * not proposed again. A look-alike (Google's `Labels`) gets no alias or close match, only what was chosen.
 */
export function proposeColumns(
  rawCells: readonly string[],
  opts: { kind: KindName; known: readonly string[]; remembered: ColumnMapping },
): ProposedColumn[] {
  let width = rawCells.length;
  while (width > 0 && rawCells[width - 1]!.trim() === '') width--;
  const cells = rawCells.slice(0, width).map((c) => c.trim());
  const byKey = aliasIndex(opts.kind, opts.known);
  const lookAlikes = (LOOK_ALIKES[opts.kind] ?? []).filter((l) =>
    cells.some((c) => headerKey(c) === headerKey(l.marker)),
  );
  const taken = new Set<string>();
  const free = (target: string | null | undefined): target is string =>
    typeof target === 'string' && opts.known.includes(target) && !taken.has(target);
  return cells.map((name): ProposedColumn => {
    if (isNoteColumn(name)) return { name, target: null, why: 'note' };
    const lookAlike = lookAlikes.find((l) => l.columns.includes(name));
    const remembered = opts.remembered[name];
    const candidates: [string | null | undefined, ProposalReason][] = [
      [opts.known.includes(name) ? name : undefined, 'exact'],
      [lookAlike ? undefined : byKey.get(headerKey(name)), 'alias'],
      [remembered, 'remembered'],
      [lookAlike ? undefined : closestMatch(name, opts.known), 'close'],
    ];
    const note = lookAlike && {
      note: `In a ${lookAlike.exportName} export this column holds ${lookAlike.meaning}.`,
    };
    for (const [target, why] of candidates) {
      // What the workspace chose to leave out is proposed left out again.
      if (why === 'remembered' && target === null) return { name, target: null, why, ...note };
      if (free(target)) {
        taken.add(target);
        return { name, target, why, ...note };
      }
    }
    return { name, target: null, why: null, ...note };
  });
}
