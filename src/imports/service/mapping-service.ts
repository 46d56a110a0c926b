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
import type { KindName } from '../types.js';
import { authorize, type Caller } from './caller.js';
import type { ImportDeps } from './import-service.js';

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
