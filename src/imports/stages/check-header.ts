import { quoted } from '../../domain/text.js';
import type { Warning } from '../types.js';
import { closestMatch } from '../../domain/did-you-mean.js';
import { FileRejectedError } from './rejection.js';

export interface ColumnSpec {
  name: string;
  required: boolean;
}

/** The header mapped to canonical columns; a note for people (`_…`) keeps its (trimmed) name. */
export interface CheckedHeader {
  columns: string[];
  warnings: Warning[];
}

/**
 * Checks the header row against a kind's columns (plus `extra` columns such as custom fields). Surrounding
 * spaces and upper case are forgiven with a warning; anything else that is wrong rejects the file.
 */
export function checkHeader(
  cells: string[],
  spec: readonly ColumnSpec[],
  opts: { extra?: readonly string[]; delimiterGiven: boolean },
): CheckedHeader {
  const known = [...spec.map((c) => c.name), ...(opts.extra ?? [])];
  if (!opts.delimiterGiven && cells.length === 1) {
    const only = cells[0] ?? '';
    const found = [';', '\t'].find((d) => only.includes(d));
    if (found) {
      const shown = found === '\t' ? 'tab' : '";"';
      throw new FileRejectedError({
        reason: 'wrong_delimiter',
        line: 1,
        message: `The header is separated by ${shown}, not by commas.`,
        hint: `Save the file as comma-separated CSV, or pass --delimiter ${found === '\t' ? '"\\t"' : '";"'}.`,
      });
    }
  }

  const warnings: Warning[] = [];
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const raw of cells) {
    const trimmed = raw.trim();
    if (isNoteColumn(trimmed)) {
      columns.push(trimmed);
      continue;
    }
    const canonical = known.includes(trimmed) ? trimmed : known.find((k) => k === trimmed.toLowerCase());
    if (canonical === undefined) {
      const suggestion = closestMatch(trimmed, known);
      throw new FileRejectedError({
        reason: 'unknown_column',
        line: 1,
        column: trimmed,
        message: trimmed ? `Unknown column ${quoted(trimmed)}.` : 'A column of the header has no name.',
        hint: suggestion
          ? `Did you mean "${suggestion}"? Columns of this import: ${known.join(', ')}.`
          : `Columns of this import: ${known.join(', ')}. Start a column name with "_" to keep it as a note.`,
      });
    }
    if (canonical !== raw) {
      warnings.push({
        line: 1,
        reason: 'header_normalized',
        column: canonical,
        message: `Column ${quoted(raw)} was read as "${canonical}".`,
      });
    }
    if (seen.has(canonical)) {
      throw new FileRejectedError({
        reason: 'duplicate_column',
        line: 1,
        column: canonical,
        message: `Column "${canonical}" appears twice.`,
        hint: 'Keep one of them, or rename the other with a leading "_" to keep it as a note.',
      });
    }
    seen.add(canonical);
    columns.push(canonical);
  }

  const missing = spec.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new FileRejectedError({
      reason: 'missing_column',
      line: 1,
      column: missing[0],
      message: `Required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} missing.`,
      hint: `This import needs the columns ${spec
        .filter((c) => c.required)
        .map((c) => c.name)
        .join(', ')}.`,
    });
  }
  return { columns, warnings };
}

/** Columns whose name starts with `_` are notes for people, ignored by every import. */
export function isNoteColumn(name: string): boolean {
  return name.startsWith('_');
}
