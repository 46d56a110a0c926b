import {
  deleteMapping,
  headerChoices,
  listMappings,
  requireMapping,
  type MappingColumns,
  type SavedMapping,
} from '../../domain/column-mappings.js';
import { resolveRunMapping, saveKindMapping } from '../column-mapping.js';
import type { ImportOptions } from '../import-options.js';
import { KINDS } from '../kinds/index.js';
import { proposeColumns, type ProposedColumn } from '../stages/check-header.js';
import { readFile } from '../stages/read-file.js';
import { runFileInput } from '../upload-repository.js';
import { FileRejectedError } from '../stages/rejection.js';
import type { KindName } from '../types.js';
import { authorize, type Caller } from './caller.js';
import type { ImportDeps, ImportFile } from './import-service.js';
import { removeUpload } from './uploads.js';

/**
 * Column mappings saved by name and the columns chosen last per header cell, for the CLI (`roster mappings`),
 * the routes (`/api/mappings`) and the upload form. Whoever may import may save and delete mappings.
 */

export function listSavedMappings(
  deps: Pick<ImportDeps, 'db'>,
  caller: Caller,
  kind?: KindName,
): Promise<SavedMapping[]> {
  authorize(caller, 'read');
  return listMappings(deps.db, caller.workspace.id, kind);
}

export function readSavedMapping(
  deps: Pick<ImportDeps, 'db'>,
  caller: Caller,
  name: string,
): Promise<SavedMapping> {
  authorize(caller, 'read');
  return requireMapping(deps.db, caller.workspace.id, name);
}

/** Saves a mapping under its name (replacing one of that name) after checking its targets. */
export function saveNamedMapping(
  deps: Pick<ImportDeps, 'db'>,
  caller: Caller,
  input: { name: string; kind: KindName; columns: MappingColumns },
): Promise<SavedMapping> {
  authorize(caller, 'import');
  return saveKindMapping(deps.db, caller.workspace.id, input);
}

export function deleteSavedMapping(
  deps: Pick<ImportDeps, 'db'>,
  caller: Caller,
  name: string,
): Promise<void> {
  authorize(caller, 'import');
  return deleteMapping(deps.db, caller.workspace.id, name);
}

/** The column this workspace chose last for each of these header cells (never chosen: absent). */
export function lastHeaderChoices(
  deps: Pick<ImportDeps, 'db'>,
  caller: Caller,
  kind: KindName,
  headers: readonly string[],
): Promise<MappingColumns> {
  authorize(caller, 'read');
  return headerChoices(deps.db, caller.workspace.id, kind, headers);
}

/** A new run's options with its explicit mapping resolved (a saved one by name) and its targets checked. */
export function withRunMapping(
  deps: Pick<ImportDeps, 'db'>,
  caller: Caller,
  kind: KindName,
  options: ImportOptions,
): Promise<ImportOptions> {
  return resolveRunMapping(deps.db, caller.workspace.id, kind, options);
}

/** What the web UI's mapping step shows for a file: its header cells, samples, and a proposed column each. */
export interface MappingProposal {
  format: 'csv' | 'xlsx';
  sheet?: string;
  /** The line (sheet row) of the header. */
  headerLine: number;
  columns: (ProposedColumn & { samples: string[] })[];
  /** What a header cell may be read as: the kind's columns and, for contacts, the custom fields. */
  targets: { name: string; required: boolean; custom: boolean }[];
  /** True when every header cell is a column of the kind as written (or a note): no mapping is needed. */
  exact: boolean;
}

const SAMPLES = 3;
const SAMPLE_ROWS = 500;
const SAMPLE_CHARS = 80;

/**
 * Reads the header and the first rows of a file (at most {@link SAMPLE_ROWS}) and proposes a column for each
 * header cell (see proposeColumns), with its first non-blank sample values. Secret columns (passwords) show
 * no samples. Changes nothing; the file is deleted afterwards.
 */
export async function proposeMapping(
  deps: Pick<ImportDeps, 'db' | 'config'>,
  caller: Caller,
  file: ImportFile,
): Promise<MappingProposal> {
  try {
    authorize(caller, 'import');
    const kind = KINDS[file.kind];
    const extra = (await kind.extraColumns?.(deps.db, caller.workspace.id)) ?? [];
    const targets = [
      ...kind.columns.map((c) => ({ name: c.name, required: c.required, custom: false })),
      ...extra.map((c) => ({ name: c.name, required: false, custom: true })),
    ];
    const opened = readFile(runFileInput(deps.db, file.path), file.options);
    let header: { line: number; cells: string[] } | undefined;
    const samples: string[][] = [];
    let rows = 0;
    const records = (async function* () {
      try {
        yield* opened.records;
      } catch (err) {
        // A file that cannot be read is for the dry run's file check to explain; sample what was read.
        if (!(err instanceof FileRejectedError)) throw err;
      }
    })();
    for await (const record of records) {
      if (!header) {
        header = record;
        header.cells.forEach(() => samples.push([]));
        continue;
      }
      record.cells.forEach((cell, i) => {
        const value = cell.trim();
        if (value !== '' && samples[i] && samples[i].length < SAMPLES && !samples[i].includes(value)) {
          samples[i].push(value.length > SAMPLE_CHARS ? `${value.slice(0, SAMPLE_CHARS)}…` : value);
        }
      });
      if (++rows >= SAMPLE_ROWS || samples.every((s) => s.length >= SAMPLES)) break;
    }
    // A header of one cell holding ";" or a tab is the file check's wrong_delimiter, not something to map.
    const otherDelimiter =
      file.options.delimiter === undefined && header?.cells.length === 1 && /[;\t]/u.test(header.cells[0]!);
    const cells = otherDelimiter ? [] : (header?.cells ?? []);
    const remembered = await headerChoices(
      deps.db,
      caller.workspace.id,
      file.kind,
      cells.map((c) => c.trim()).filter((c) => c !== ''),
    );
    const proposed = proposeColumns(cells, {
      kind: file.kind,
      known: targets.map((t) => t.name),
      remembered,
    });
    const secret = new Set(kind.secretColumns ?? []);
    const info = safeInfo(opened.info);
    return {
      format: info?.format === 'xlsx' ? 'xlsx' : 'csv',
      ...(info?.sheet !== undefined && { sheet: info.sheet }),
      headerLine: header?.line ?? file.options.headerLine ?? 1,
      columns: proposed.map((p, i) => ({
        ...p,
        samples: secret.has(p.target ?? '') || /pass|hash/iu.test(p.name) ? [] : (samples[i] ?? []),
      })),
      targets,
      exact: proposed.every((p) => p.why === 'note' || (p.why === 'exact' && p.target === p.name)),
    };
  } finally {
    await removeUpload(deps, file.path);
  }
}

function safeInfo<T>(info: () => T): T | undefined {
  try {
    return info();
  } catch {
    return undefined;
  }
}
