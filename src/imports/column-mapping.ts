import fs from 'node:fs';
import type { Db } from '../db/dialect.js';
import {
  requireMapping,
  saveMapping,
  type MappingColumns,
  type SavedMapping,
} from '../domain/column-mappings.js';
import { AppError } from '../errors.js';
import type { ImportOptions } from './import-options.js';
import { KINDS } from './kinds/index.js';
import type { KindName } from './types.js';

/** The columns a mapping may name for a kind: its own, and for contacts the workspace's custom fields. */
export async function mappingTargets(db: Db, workspaceId: number, kind: KindName): Promise<string[]> {
  const extra = (await KINDS[kind].extraColumns?.(db, workspaceId)) ?? [];
  return [...KINDS[kind].columns.map((c) => c.name), ...extra.map((c) => c.name)];
}

/** `--map "SOURCE=TARGET"` values (the last `=` splits, so a source may hold one); `SOURCE=` leaves it out. */
export function parseMapFlags(values: readonly string[]): MappingColumns {
  const columns: MappingColumns = {};
  for (const value of values) {
    const at = value.lastIndexOf('=');
    if (at <= 0) {
      throw new AppError(
        'usage',
        `--map "${value}" is not SOURCE=TARGET.`,
        'Write --map "Header in the file=column", or --map "Header in the file=" to leave that column out.',
      );
    }
    const target = value.slice(at + 1).trim();
    columns[value.slice(0, at).trim()] = target === '' ? null : target;
  }
  return columns;
}

/** A mapping given as a JSON object: header cell → column name, or null (or "") to leave it out. */
export function parseMappingJson(text: string, where: string): MappingColumns {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('usage', `${where} is not valid JSON: ${(err as Error).message}`, MAPPING_FORM);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('usage', `${where} must be a JSON object.`, MAPPING_FORM);
  }
  const columns: MappingColumns = {};
  for (const [source, target] of Object.entries(value)) {
    if (target !== null && typeof target !== 'string') {
      throw new AppError(
        'usage',
        `${where}: the column for "${source}" must be a string or null.`,
        MAPPING_FORM,
      );
    }
    columns[source.trim()] = target === null || target.trim() === '' ? null : target.trim();
  }
  return columns;
}

const MAPPING_FORM = 'A mapping is a JSON object such as {"Given Name": "first_name", "Notes": null}.';

/**
 * `--mapping FILE.json|NAME` and `--map` as run options: a file if one exists at that path is read into
 * `mapping`, anything else names a mapping saved in the workspace (`mappingName`, read by
 * {@link resolveRunMapping}); `--map` entries go on top.
 */
export function mappingFromFlags(given: {
  map?: readonly string[];
  mapping?: string;
}): Pick<ImportOptions, 'mapping' | 'mappingName'> {
  let base: MappingColumns = {};
  let mappingName: string | undefined;
  if (given.mapping !== undefined) {
    if (fs.existsSync(given.mapping) && fs.statSync(given.mapping).isFile()) {
      base = parseMappingJson(fs.readFileSync(given.mapping, 'utf8'), given.mapping);
    } else mappingName = given.mapping;
  }
  const mapping = { ...base, ...parseMapFlags(given.map ?? []) };
  return {
    ...(Object.keys(mapping).length > 0 && { mapping }),
    ...(mappingName !== undefined && { mappingName }),
  };
}

/**
 * The explicit mapping of a run, whoever gave it (CLI flags, the upload form): a saved mapping named by
 * `mappingName`, with the entries of `mapping` on top; sources trimmed, `""` as null. Targets are checked
 * here (a usage error listing what is valid); the sources are checked against the header when the file is read.
 */
export async function resolveRunMapping(
  db: Db,
  workspaceId: number,
  kind: KindName,
  options: ImportOptions,
): Promise<ImportOptions> {
  const { mapping: given, mappingName: _name, ...rest } = options;
  const saved =
    options.mappingName !== undefined
      ? await savedFor(db, workspaceId, kind, options.mappingName)
      : undefined;
  const mapping: MappingColumns = { ...saved?.columns };
  for (const [source, target] of Object.entries(given ?? {})) {
    mapping[source.trim()] = target === null || target.trim() === '' ? null : target.trim();
  }
  if (Object.keys(mapping).length === 0) return rest;
  await checkTargets(db, workspaceId, kind, mapping);
  return { ...rest, mapping, ...(saved && { mappingName: saved.name }) };
}

async function savedFor(db: Db, workspaceId: number, kind: KindName, name: string): Promise<SavedMapping> {
  const saved = await requireMapping(db, workspaceId, name).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') {
      throw new AppError('usage', `"${name}" is neither a mapping file nor a saved mapping.`, err.hint);
    }
    throw err;
  });
  if (saved.kind !== kind) {
    throw new AppError('usage', `The mapping "${name}" is for ${saved.kind} imports, not ${kind}.`);
  }
  return saved;
}

/** A target the kind lacks, or two sources for one target, is a usage error listing what is valid. */
export async function checkTargets(db: Db, workspaceId: number, kind: KindName, mapping: MappingColumns) {
  const targets = await mappingTargets(db, workspaceId, kind);
  const problems: string[] = [];
  const sourcesOf = new Map<string, string[]>();
  for (const [source, target] of Object.entries(mapping)) {
    if (target === null) continue;
    if (!targets.includes(target)) problems.push(`"${target}" (for "${source}") is not a column of ${kind}`);
    sourcesOf.set(target, [...(sourcesOf.get(target) ?? []), source]);
  }
  for (const [target, sources] of sourcesOf) {
    if (sources.length > 1)
      problems.push(`${sources.map((s) => `"${s}"`).join(' and ')} are both mapped to "${target}"`);
  }
  if (problems.length > 0) {
    throw new AppError(
      'usage',
      `The mapping does not fit: ${problems.join('; ')}.\nColumns of ${kind}: ${targets.join(', ')}.`,
      'Map each column as "SOURCE=TARGET", or "SOURCE=" to leave it out.',
    );
  }
}

/** Saves a named mapping for a kind after checking its targets. */
export async function saveKindMapping(
  db: Db,
  workspaceId: number,
  input: { name: string; kind: KindName; columns: MappingColumns },
): Promise<SavedMapping> {
  await checkTargets(db, workspaceId, input.kind, input.columns);
  return saveMapping(db, workspaceId, input);
}
