import type { ColumnType, Generated } from 'kysely';

/** Booleans are stored as 0/1 on both databases so one code path reads them. Timestamps are ISO-8601 text. */
export type Flag = 0 | 1;

export interface WorkspaceTable {
  id: Generated<number>;
  slug: string;
  name: string;
  created_at: string;
  /** Bumped by every change to the workspace's data (imports, undo, edits): what a reviewed dry run saw. */
  data_version: Generated<number>;
}

export interface CustomerTable {
  id: Generated<number>;
  workspace_id: number;
  ref: string;
  ref_ci: string;
  erp_id: string | null;
  erp_id_ci: string | null;
  name: string;
  name_ci: string;
  created_at: string;
  updated_at: string;
}

export interface ContactTable {
  id: Generated<number>;
  workspace_id: number;
  email: string;
  email_ci: string;
  first_name: string | null;
  last_name: string | null;
  /** "first last" case-folded: a generated column (see migration 019). */
  name_ci: ColumnType<string | null, never, never>;
  created_at: string;
  updated_at: string;
}

/**
 * `customer_contacts`: one contact link a row, a contact linked to a customer with a position and a primary
 * flag (the spec's "customer link"; a contact so linked is a "person" of that customer).
 */
export interface ContactLinkTable {
  id: Generated<number>;
  workspace_id: number;
  customer_id: number;
  contact_id: number;
  position_id: number | null;
  is_primary: Flag;
  created_at: string;
  updated_at: string;
}

export interface PositionTable {
  id: Generated<number>;
  workspace_id: number;
  name: string;
  name_ci: string;
  created_at: string;
}

export interface LabelTable {
  id: Generated<number>;
  workspace_id: number;
  public_id: string;
  name: string;
  name_ci: string;
  created_at: string;
}

export interface ContactLabelTable {
  contact_id: number;
  label_id: number;
}

export type FieldType = 'text' | 'number' | 'boolean' | 'date';

export interface CustomFieldTable {
  id: Generated<number>;
  workspace_id: number;
  variable: string;
  label: string;
  type: FieldType;
  created_at: string;
}

export interface ContactFieldValueTable {
  contact_id: number;
  field_id: number;
  value: string;
}

export interface UserTable {
  id: Generated<number>;
  workspace_id: number;
  email: string;
  email_ci: string;
  first_name: string | null;
  last_name: string | null;
  password_hash: string | null;
  active: Flag;
  role: 'admin' | 'member';
  created_at: string;
  updated_at: string;
}

export type RunStatus = 'queued' | 'running' | 'completed' | 'rejected' | 'failed' | 'interrupted' | 'undone';

export interface ImportRunTable {
  /** Internal key (what import_rows refer to: a short integer keeps their indexes small). */
  id: Generated<number>;
  /** The run's id as people and the API see it (a UUID). */
  public_id: string;
  workspace_id: number;
  kind: string;
  status: RunStatus;
  /** Where a running import is: staging the file, planning, or applying batch by batch. */
  phase: 'staging' | 'planning' | 'applying' | 'done';
  dry_run: Flag;
  actor: string;
  file_name: string;
  file_bytes: number;
  file_sha256: string;
  encoding: string;
  bom: Flag;
  options: string;
  header: string | null;
  warnings: string;
  counts: string | null;
  rejection: string | null;
  error: string | null;
  rows_total: number;
  rows_done: number;
  pid: number | null;
  host: string | null;
  file_path: string | null;
  started_at: string;
  finished_at: string | null;
  undone_at: string | null;
  undo_report: string | null;
  /** The workspace's data version when the run planned. */
  data_version: number | null;
  /** An apply of a dry run: the data version the dry run saw; the run fails if the data has moved since. */
  expected_data_version: number | null;
  /** A dry run that was applied: the public id of the run that applied it. */
  applied_run_id: string | null;
  /** A run that applies a dry run: the dry run's public id. */
  source_run_id: string | null;
  /** JSON HeaderMapping: what the run read under another name, and what it left out. */
  mapping: Generated<string | null>;
  /** A workbook's sheet that was read (the file's `encoding` is then `xlsx`). */
  sheet: Generated<string | null>;
  /** The worker that holds a running run (PostgreSQL's workers), and until when (ms since 1970, database clock). */
  lease_owner: Generated<string | null>;
  lease_until: Generated<number | null>;
}

/** An upload kept in PostgreSQL (on SQLite uploads are files): its bytes are in `upload_chunks`. */
export interface UploadTable {
  id: string;
  bytes: number;
  /** 1 once the whole file has arrived. */
  complete: Flag;
  created_at: string;
}

/** One MiB of an upload, in order of `seq`. */
export interface UploadChunkTable {
  upload_id: string;
  seq: number;
  data: Buffer;
}

/** A column mapping saved by name (`roster mappings save`, the web UI's mapping step). */
export interface SavedMappingTable {
  id: Generated<number>;
  workspace_id: number;
  name: string;
  kind: string;
  /** JSON object: header cell → column, or null to leave it out. */
  columns: string;
  created_at: string;
  updated_at: string;
}

/** The column a workspace chose last for a header cell (null: left out), preselected next time. */
export interface HeaderChoiceTable {
  workspace_id: number;
  kind: string;
  header: string;
  target: string | null;
  chosen_at: string;
}

export type RowStatus =
  'pending' | 'created' | 'updated' | 'unchanged' | 'unmatched' | 'invalid' | 'duplicate';

/**
 * One data row of an import: its original cells, its checked values, what it resolved to, and its outcome.
 * Value columns use NULL for "leave unchanged" and '' for "clear".
 */
export interface ImportRowTable {
  run_id: number;
  row_no: number;
  line: number;
  cells: string;
  status: RowStatus;
  reason: string | null;
  column_name: string | null;
  message: string | null;
  hint: string | null;
  target_key: string | null;
  is_first: Flag;
  dup_of_line: number | null;
  customer_key: string | null;
  customer_key_ci: string | null;
  customer_id: number | null;
  email: string | null;
  email_ci: string | null;
  contact_id: number | null;
  position_name: string | null;
  position_ci: string | null;
  position_id: number | null;
  primary_value: Flag | null;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  name_ci: string | null;
  erp_id: string | null;
  erp_id_ci: string | null;
  /** The hash a users row sets (argon2id of its password, or an imported hash); never the password. */
  password_hash: string | null;
  /** Keyed digest of a users row's password or imported hash (key in memory only): compares rows. */
  password_digest: string | null;
  active_value: Flag | null;
  /** Fingerprint of the row's resolved label set (contacts); '' is the empty set, NULL: no labels given. */
  labels_sig: string | null;
  /** Fingerprint of the custom field values the row sets (contacts). */
  values_sig: string | null;
  /** Unused since migration 017 (outcomes are in import_outcomes); NULL. */
  changes: string | null;
  /** Unused since migration 017; NULL. */
  undo_data: string | null;
}

/** What an applied row did (or, in a dry run, would do); its staged row stays `pending` (migration 017). */
export interface ImportOutcomeTable {
  run_id: number;
  row_no: number;
  status: 'created' | 'updated' | 'unchanged';
  /** JSON changes by field: [before, after]; NULL when unchanged. */
  changes: string | null;
  /** JSON UndoRecord[]: what undo needs, written in the same transaction as the change (real runs). */
  undo_data: string | null;
  /** The staged row's keys when it was applied, for a record's history. */
  email_ci: string | null;
  contact_id: number | null;
  customer_id: number | null;
}

/** How far the undo of a run has got (migration 016): rows below `next_row` are still to undo. */
export interface ImportUndoTable {
  run_id: number;
  next_row: number;
  restored: number;
  removed: number;
  started_at: string;
}

/** A conflict an undo has listed so far (in row order: `row_no`, then `seq`, the record's place in the row). */
export interface ImportUndoConflictTable {
  run_id: number;
  row_no: number;
  seq: number;
  line: number;
  table_name: string;
  /** JSON: the record's natural key, as in the undo data. */
  record_key: string;
  message: string;
}

export interface WorkspaceLockTable {
  workspace_id: number;
  run_id: number;
  pid: number;
  host: string;
  acquired_at: string;
}

/** A label one contacts row names (staging). `label_ref` NULL: the row replaces the labels with none. */
export interface ImportRowLabelTable {
  run_id: number;
  row_no: number;
  /** Position in the row (labels first, then labels_id), for reporting the first unknown label. */
  seq: number;
  label_ref: string | null;
  label_ci: string | null;
  by_id: Flag;
  label_id: number | null;
  hint: string | null;
}

/** A custom field value one contacts row sets (staging); '' clears it. */
export interface ImportRowValueTable {
  run_id: number;
  row_no: number;
  field_id: number;
  value: string;
}

export interface ApiTokenTable {
  id: Generated<number>;
  workspace_id: number;
  name: string;
  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  token_hash: string;
  /** The token's first characters, to tell tokens apart in a list. */
  prefix: string;
  /** What the token may do: `admin` everything, `member` what a member user may (default admin). */
  role: Generated<'admin' | 'member'>;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionTable {
  /** SHA-256 (hex) of the session cookie's value. */
  id_hash: string;
  workspace_id: number;
  user_id: number;
  /** Sent back in X-CSRF-Token by every state-changing request made with the cookie. */
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface SignInFailureTable {
  id: Generated<number>;
  /** `account:<workspace id>:<email folded>` or `address:<ip>`. */
  scope: string;
  at: string;
}

/** One change made through the API or CLI to a contact or customer (imports are read from import_rows). */
export interface RecordEditTable {
  id: Generated<number>;
  workspace_id: number;
  record_type: 'contact' | 'customer';
  record_id: number;
  action: 'created' | 'updated' | 'linked' | 'unlinked';
  /** The other side of a link change: the customer's ref on a contact, the contact's email on a customer. */
  subject: string | null;
  actor: string;
  at: string;
  /** JSON `{field: [before, after]}`, in the import's column names. */
  changes: string;
}

export interface Database {
  workspaces: WorkspaceTable;
  customers: CustomerTable;
  contacts: ContactTable;
  customer_contacts: ContactLinkTable;
  positions: PositionTable;
  labels: LabelTable;
  contact_labels: ContactLabelTable;
  custom_fields: CustomFieldTable;
  contact_field_values: ContactFieldValueTable;
  users: UserTable;
  import_runs: ImportRunTable;
  import_rows: ImportRowTable;
  import_outcomes: ImportOutcomeTable;
  import_row_labels: ImportRowLabelTable;
  import_row_values: ImportRowValueTable;
  import_undos: ImportUndoTable;
  import_undo_conflicts: ImportUndoConflictTable;
  workspace_locks: WorkspaceLockTable;
  api_tokens: ApiTokenTable;
  sessions: SessionTable;
  sign_in_failures: SignInFailureTable;
  record_edits: RecordEditTable;
  saved_mappings: SavedMappingTable;
  header_choices: HeaderChoiceTable;
  uploads: UploadTable;
  upload_chunks: UploadChunkTable;
}
