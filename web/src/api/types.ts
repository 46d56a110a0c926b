/**
 * Names for the shapes of the HTTP API the UI reads. The shapes themselves are generated from the server's
 * OpenAPI document into schema.d.ts (`npm run web-types`; a test fails when that file is stale).
 */
import type { components, paths } from './schema';

type Schemas = components['schemas'];
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Session = Schemas['Session'];
export type Kind = Schemas['ImportKind'];
export type OptionDefaults = Json<paths['/api/kinds']['get']['responses'][200]>['defaults'];
export type RunSummary = Schemas['ImportRunSummary'];
export type RunDetail = Schemas['ImportRun'];
export type RunStatus = RunSummary['status'];
export type Report = Schemas['ImportReport'];
export type Counts = Report['counts'];
/** An unmatched or invalid row of a report; its other keys are the row's key columns and their values. */
export type ReportEntry = Report['unmatched'][number];
export type Rejection = NonNullable<Report['rejection']>;
export type UndoReport = Schemas['UndoReport'];
export type Accepted = Schemas['ImportAccepted'];
export type RowOutcome = Json<paths['/api/imports/{id}/rows']['get']['responses'][200]>['items'][number];

type UploadForm = paths['/api/imports']['post']['requestBody'] extends
  { content: { 'multipart/form-data': infer F } } | undefined
  ? F
  : never;
/** The upload form's options the UI offers (all optional; the server fills in its defaults). */
export type ImportOptions = Partial<
  Pick<
    UploadForm,
    'customerKey' | 'labels' | 'blank' | 'encoding' | 'delimiter' | 'sheet' | 'mappingName'
  > & {
    ignoreCase: boolean;
    ignoreUnknown: boolean;
    headerLine: number;
    /** Header cell → column, or null to leave it out (sent as JSON). */
    mapping: ColumnMapping;
  }
>;
export type ColumnMapping = Record<string, string | null>;
export type SavedMapping = Schemas['SavedMapping'];
export type MappingProposal = Schemas['MappingProposal'];

export type RowStatus = NonNullable<paths['/api/imports/{id}/rows']['get']['parameters']['query']>['status'] &
  string;
export const ROW_STATUSES = [
  'created',
  'updated',
  'unchanged',
  'unmatched',
  'invalid',
  'duplicate',
] as const satisfies readonly RowStatus[];

/** Whether a run has stopped moving (so polling can end). */
export function isFinished(run: Pick<RunSummary, 'status'>): boolean {
  return run.status !== 'queued' && run.status !== 'running';
}
