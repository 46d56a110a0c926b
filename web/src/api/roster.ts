import { postForm, request } from './client';
import type {
  Accepted,
  ColumnMapping,
  ImportOptions,
  Kind,
  MappingProposal,
  OptionDefaults,
  RowOutcome,
  RowStatus,
  RunDetail,
  RunSummary,
  SavedMapping,
  Session,
  UndoReport,
} from './types';

/** The routes of the HTTP API the UI uses, one function each. */

export const getSession = () => request<Session>('GET', '/api/session');

export const signIn = (form: { email: string; password: string; workspace?: string }) =>
  request<Session>('POST', '/api/session', form);

export const signOut = () => request<void>('DELETE', '/api/session');

export const listKinds = () => request<{ items: Kind[]; defaults: OptionDefaults }>('GET', '/api/kinds');

/** Uploads a file and starts an import (a dry run, or the real thing) in the background. */
export function startImport(
  upload: { kind: string; file: File; dryRun: boolean; options: ImportOptions },
  onProgress?: (sent: number) => void,
): Promise<Accepted> {
  const form = new FormData();
  // The fields come before the file part: the server reads the form as a stream.
  form.set('kind', upload.kind);
  form.set('dryRun', String(upload.dryRun));
  for (const [name, value] of Object.entries(upload.options)) {
    if (value === undefined || value === '') continue;
    form.set(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  form.set('file', upload.file, upload.file.name);
  return postForm<Accepted>('/api/imports', form, onProgress);
}

export const getRun = (id: string) => request<RunDetail>('GET', `/api/imports/${encodeURIComponent(id)}`);

export const listRuns = (limit: number, offset: number) =>
  request<{ items: RunSummary[]; total: number }>('GET', `/api/imports?limit=${limit}&offset=${offset}`);

export function listRows(id: string, query: { status?: RowStatus; after?: number; limit?: number }) {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.after) params.set('after', String(query.after));
  params.set('limit', String(query.limit ?? 100));
  return request<{ items: RowOutcome[]; nextAfter: number | null }>(
    'GET',
    `/api/imports/${encodeURIComponent(id)}/rows?${params}`,
  );
}

export const applyRun = (id: string) =>
  request<Accepted>('POST', `/api/imports/${encodeURIComponent(id)}/apply`);

export const undoRun = (id: string) =>
  request<UndoReport>('POST', `/api/imports/${encodeURIComponent(id)}/undo`);

/** A plain link downloads it: the cookie goes with a GET, and the answer is an attachment. */
export const errorsCsvUrl = (id: string) => `/api/imports/${encodeURIComponent(id)}/errors.csv`;

/**
 * The header and first values of a file, and the column proposed for each header cell (the mapping step).
 * A CSV is sent only as far as its first MiB; a workbook (a zip: "PK\x03\x04") has to be sent whole.
 */
export async function proposeMapping(upload: {
  kind: string;
  file: File;
  options: ImportOptions;
}): Promise<MappingProposal> {
  const head = new Uint8Array(await upload.file.slice(0, 4).arrayBuffer());
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const part = zip ? upload.file : upload.file.slice(0, 1 << 20);
  const form = new FormData();
  form.set('kind', upload.kind);
  for (const name of ['encoding', 'delimiter', 'headerLine', 'sheet'] as const) {
    const value = upload.options[name];
    if (value !== undefined && value !== '') form.set(name, String(value));
  }
  form.set('file', part, upload.file.name);
  return postForm<MappingProposal>('/api/mappings/propose', form);
}

export const saveMapping = (mapping: { name: string; kind: string; columns: ColumnMapping }) =>
  request<SavedMapping>('POST', '/api/mappings', mapping);
