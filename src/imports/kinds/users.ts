import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/dialect.js';
import {
  checkPasswordHash,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  passwordLength,
} from '../../domain/passwords.js';
import { now } from '../../domain/text.js';
import { checkEmail } from '../../domain/emails.js';
import { checkBoolean } from '../../domain/field-values.js';
import { isProblem, type RowProblem } from '../../domain/row-problem.js';
import type { Cells } from '../stages/check-row.js';
import { pendingRows, type RunContext } from '../run-context.js';
import { markFirstRows, settleSameTargetRows } from '../stages/same-target.js';
import { noteChange, outcome, writeOutcomes, type Change } from '../stages/write-outcomes.js';
import type { ImportOptions } from '../import-options.js';
import { changedColumns } from '../undo-record.js';
import { optional, type ImportKind, type StagedValues } from './kind.js';

/** A checked users row; `password` lives only until prepareRow has hashed it and is never staged. */
type UserValues = StagedValues & { password?: string };

/**
 * Rows of one user are compared by a keyed digest of their password (or imported hash): equal passwords give
 * equal digests, while the random key, which lives only in this process's memory, makes them useless for
 * guessing. Hashes cannot be compared: each has its own salt.
 */
const DIGEST_KEY = randomBytes(32);
const digest = (what: 'password' | 'hash', value: string) =>
  createHmac('sha256', DIGEST_KEY).update(`${what}\0${value}`).digest('base64');

function problem(reason: string, column: string, message: string, hint: string): RowProblem {
  return { reason, column, message, hint };
}

/** Checks one row. Messages never echo a password or a hash. */
function checkRow(cells: Cells, options: ImportOptions): UserValues | RowProblem {
  const email = checkEmail(cells.get('email') ?? '', 'email');
  if (isProblem(email)) return email;
  const active = checkBoolean(cells.get('active') ?? '', 'active');
  if (isProblem(active)) return active;
  const password = cells.get('password') ?? '';
  const imported = cells.get('password_hash') ?? '';
  const values: UserValues = {
    email,
    first_name: optional(cells, 'first_name', options),
    last_name: optional(cells, 'last_name', options),
    active_value: active,
  };
  if (password !== '' && imported !== '') {
    return problem(
      'password_and_hash',
      'password_hash',
      'The row gives both a password and a password_hash.',
      'Keep one: a password is hashed here, a password_hash is stored as it is.',
    );
  }
  if (password !== '') {
    if (passwordLength(password) < MIN_PASSWORD_LENGTH) {
      return problem(
        'password_too_short',
        'password',
        `The password is shorter than ${MIN_PASSWORD_LENGTH} characters.`,
        `Use at least ${MIN_PASSWORD_LENGTH} characters, or leave the cell blank to keep the current password.`,
      );
    }
    values.password = password;
    values.password_digest = digest('password', password);
  }
  if (imported !== '') {
    const check = checkPasswordHash(imported);
    if ('problem' in check) {
      return problem(
        'invalid_password_hash',
        'password_hash',
        `The password_hash is not accepted: ${check.problem}.`,
        'Give an argon2 ($argon2id$v=19$m=…), bcrypt ($2b$…) or scrypt ($scrypt$ln=…) hash in its standard form, or a password instead.',
      );
    }
    values.password_digest = digest('hash', imported);
    // A dry run only validates: nothing secret is staged that it does not need.
    if (!options.dryRun) values.password_hash = imported;
  }
  return values;
}

/** Hashes the row's password off the main thread; a dry run spends no time hashing. */
function prepareRow(values: StagedValues, ctx: RunContext): Promise<Partial<StagedValues>> | undefined {
  const password = (values as UserValues).password;
  if (password === undefined || ctx.options.dryRun) return undefined;
  return hashPassword(password).then((password_hash) => ({ password_hash }));
}

async function plan(db: Db, ctx: RunContext): Promise<void> {
  // Users are found by email case-insensitively; an update keeps the stored casing.
  await sql`UPDATE import_rows SET target_key = email_ci WHERE ${pendingRows(ctx)}`.execute(db);
  await settleSameTargetRows(db, ctx, {
    noun: 'user',
    fields: [
      { column: 'first_name', expr: '$.first_name' },
      { column: 'last_name', expr: '$.last_name' },
      { column: 'active', expr: '$.active_value' },
      { column: 'password', expr: '$.password_digest' },
    ],
    effect: ['$.first_name', '$.last_name', '$.active_value', '$.password_digest'],
    setters: [['first_name'], ['last_name'], ['active_value'], ['password_digest', 'password_hash']],
    afterFirstRows: (trx) => requirePasswordOnCreate(trx, ctx),
  });
  // Hashes of rows that will not be applied are not kept.
  await sql`UPDATE import_rows SET password_hash = NULL
    WHERE run_id = ${ctx.runId} AND status <> 'pending' AND password_hash IS NOT NULL`.execute(db);
}

/** The row that creates a user must give a password; rows after an invalid first row get their own turn. */
async function requirePasswordOnCreate(db: Db, ctx: RunContext): Promise<void> {
  for (;;) {
    const result =
      await sql`UPDATE import_rows SET status = 'invalid', reason = 'password_required', column_name = 'password',
        message = 'User "' || email || '" is new and needs a password.',
        hint = ${`Fill in password (at least ${MIN_PASSWORD_LENGTH} characters) or password_hash for a new user.`}
      WHERE ${pendingRows(ctx)} AND is_first = 1 AND password_digest IS NULL AND NOT EXISTS
        (SELECT 1 FROM users u WHERE u.workspace_id = ${ctx.workspaceId} AND u.email_ci = import_rows.email_ci)`.execute(
        db,
      );
    if (!result.numAffectedRows) return;
    await markFirstRows(db, ctx);
  }
}

interface UserRow {
  row_no: number;
  is_first: 0 | 1;
  email: string;
  email_ci: string;
  first_name: string | null;
  last_name: string | null;
  active_value: 0 | 1 | null;
  sets_password: 0 | 1;
  /** The hash the row sets (real runs only; NULL in a dry run). */
  password_hash: string | null;
  cur_id: number | null;
  cur_first_name: string | null;
  cur_last_name: string | null;
  cur_active: 0 | 1 | null;
  cur_password_hash: string | null;
}

function rowOutcome(r: UserRow) {
  const changes: Record<string, Change> = {};
  const created = r.is_first === 1 && r.cur_id === null;
  if (created) changes.email = [null, r.email];
  if (r.first_name !== null) noteChange(changes, 'first_name', r.cur_first_name, r.first_name || null);
  if (r.last_name !== null) noteChange(changes, 'last_name', r.cur_last_name, r.last_name || null);
  if (r.active_value !== null) {
    // A user created earlier in this run (not yet there in a dry run) is active unless its first row said not.
    const before = created ? null : r.cur_id === null ? true : r.cur_active === 1;
    noteChange(changes, 'active', before, r.active_value === 1);
  }
  // A password cell always sets a new hash; the change says so without showing either.
  if (r.sets_password === 1) {
    changes.password = created || r.cur_password_hash === null ? [null, '(set)'] : ['(hidden)', '(changed)'];
  }
  // What undo needs, in database terms: hashes (never a password), which reports do not show.
  const after = {
    first_name: r.first_name === null ? undefined : r.first_name || null,
    last_name: r.last_name === null ? undefined : r.last_name || null,
    active: r.active_value ?? undefined,
    password_hash: r.password_hash ?? undefined,
  };
  const key = { email_ci: r.email_ci };
  if (created) return outcome(r.row_no, true, changes, [{ table: 'users', key, created: true, after }]);
  const before = {
    first_name: r.cur_first_name,
    last_name: r.cur_last_name,
    active: r.cur_active,
    password_hash: r.cur_password_hash,
  };
  const columns = changedColumns(before, after);
  return outcome(r.row_no, false, changes, [columns && { table: 'users', key, ...columns }]);
}

async function applyBatch(db: Db, ctx: RunContext, from: number, to: number): Promise<void> {
  const ws = ctx.workspaceId;
  const { rows } = await sql<UserRow>`SELECT r.row_no, r.is_first, r.email, r.email_ci, r.first_name,
      r.last_name, r.active_value, CASE WHEN r.password_digest IS NULL THEN 0 ELSE 1 END AS sets_password,
      r.password_hash, u.id AS cur_id, u.first_name AS cur_first_name, u.last_name AS cur_last_name,
      u.active AS cur_active, u.password_hash AS cur_password_hash
    FROM import_rows r LEFT JOIN users u ON u.workspace_id = ${ws} AND u.email_ci = r.email_ci
    WHERE r.run_id = ${ctx.runId} AND r.status = 'pending' AND r.row_no BETWEEN ${from} AND ${to}`.execute(
    db,
  );
  const outcomes = rows.map(rowOutcome);
  await writeOutcomes(db, ctx, outcomes);
  if (ctx.options.dryRun) return;

  const batch = sql`run_id = ${ctx.runId} AND row_no BETWEEN ${from} AND ${to}`;
  const at = now();
  if (outcomes.some((o) => o.status === 'created')) {
    await sql`INSERT INTO users (workspace_id, email, email_ci, first_name, last_name, password_hash, active, role,
        created_at, updated_at)
      SELECT CAST(${ws} AS INTEGER), email, email_ci, NULLIF(first_name, ''), NULLIF(last_name, ''), password_hash,
        coalesce(active_value, 1), 'member', ${at}, ${at}
      FROM import_rows WHERE ${batch} AND status = 'created'`.execute(db);
  }
  if (outcomes.some((o) => o.status === 'updated')) {
    await sql`UPDATE users SET
      first_name = CASE WHEN a.first_name IS NULL THEN users.first_name ELSE NULLIF(a.first_name, '') END,
      last_name = CASE WHEN a.last_name IS NULL THEN users.last_name ELSE NULLIF(a.last_name, '') END,
      active = coalesce(a.active_value, users.active),
      password_hash = coalesce(a.password_hash, users.password_hash),
      updated_at = ${at}
    FROM (SELECT email_ci, max(first_name) AS first_name, max(last_name) AS last_name,
        max(active_value) AS active_value, max(password_hash) AS password_hash FROM import_rows
      WHERE ${batch} AND status = 'updated' GROUP BY email_ci) a
    WHERE users.workspace_id = ${ws} AND users.email_ci = a.email_ci`.execute(db);
  }
  // The users table holds the hash now; the staged copy is not kept.
  await sql`UPDATE import_rows SET password_hash = NULL WHERE ${batch} AND password_hash IS NOT NULL`.execute(
    db,
  );
}

/** `users`: creates or updates internal users by email; passwords are stored only as argon2id hashes. */
export const usersKind: ImportKind = {
  name: 'users',
  options: ['blank'],
  summary:
    'Create or update internal users (matched by email); a new user needs a password or password_hash.',
  columns: [
    { name: 'email', required: true },
    { name: 'first_name', required: false },
    { name: 'last_name', required: false },
    { name: 'password', required: false },
    { name: 'password_hash', required: false },
    { name: 'active', required: false },
  ],
  keyColumns: ['email'],
  secretColumns: ['password', 'password_hash'],
  checkRow,
  prepareRow,
  plan,
  applyBatch,
};
