import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/dialect.js';
import {
  checkPasswordHash,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  passwordLength,
} from '../../domain/passwords.js';
import { checkEmail } from '../../domain/emails.js';
import { checkBoolean } from '../../domain/field-values.js';
import { isProblem, type RowProblem } from '../../domain/row-problem.js';
import type { Cells } from '../stages/check-row.js';
import { pendingRows, type RunContext } from '../run-context.js';
import { markFirstRows, settleSameTargetRows } from '../stages/same-target.js';
import { jsonFlagSql, jsonPairSql } from '../stages/write-outcomes.js';
import type { ImportOptions } from '../import-options.js';
import { optional, type ImportKind, type StagedValues } from './kind.js';
import { applyUpsertBatch, type UpsertSpec } from './upsert.js';

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
  // Users are found by email case-insensitively (target_key is the staged email_ci, see stagedTarget); an
  // update keeps the stored casing.
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
    afterFirstRows: async (trx) => {
      await requirePasswordOnCreate(trx, ctx);
      await keepAnActiveAdmin(trx, ctx);
    },
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

/**
 * A file may not deactivate every active admin of the workspace (nobody could manage users afterwards):
 * when it would, its rows that deactivate one are invalid (`last_admin`) and the others apply.
 */
async function keepAnActiveAdmin(db: Db, ctx: RunContext): Promise<void> {
  const ws = ctx.workspaceId;
  const deactivated = sql`SELECT email_ci FROM import_rows WHERE ${pendingRows(ctx)} AND active_value = 0`;
  await sql`UPDATE import_rows SET status = 'invalid', reason = 'last_admin', column_name = 'active',
      message = 'User "' || email || '" is among the last active admins of this workspace; the file would deactivate all of them.',
      hint = 'Make another user an active admin first, or leave active blank in this row.'
    WHERE ${pendingRows(ctx)} AND active_value = 0
      AND EXISTS (SELECT 1 FROM users u WHERE u.workspace_id = ${ws} AND u.email_ci = import_rows.email_ci
        AND u.role = 'admin' AND u.active = 1)
      AND NOT EXISTS (SELECT 1 FROM users a WHERE a.workspace_id = ${ws} AND a.role = 'admin' AND a.active = 1
        AND a.email_ci NOT IN (${deactivated}))`.execute(db);
}

/** Users are matched by email_ci; `active` and the password are noted in the changes in their own terms. */
const upsert: UpsertSpec = {
  table: 'users',
  key: { column: 'email', folded: 'email_ci', staged: 'email', stagedFolded: 'email_ci' },
  fields: [
    { column: 'first_name', blankClears: true },
    { column: 'last_name', blankClears: true },
    {
      column: 'active',
      staged: 'active_value',
      blankClears: false,
      reported: false,
      onCreate: 'coalesce(active_value, 1)',
    },
    // What undo needs, in database terms: hashes (never a password), which reports do not show.
    // The hash a row sets is staged in real runs only (NULL in a dry run).
    { column: 'password_hash', blankClears: false, reported: false },
  ],
  current: (ctx) => sql`t.workspace_id = ${ctx.workspaceId} AND t.email_ci = r.email_ci`,
  updated: (ctx) => ({
    from: sql`import_rows r JOIN users u ON u.workspace_id = ${ctx.workspaceId} AND u.email_ci = r.email_ci`,
    id: sql`u.id`,
  }),
  undoKey: { email_ci: sql`r.email_ci` },
  // No record's history reads the users import's rows.
  keys: {},
  createWith: { role: "'member'" },
  extra(_ctx, { created }) {
    // A user created earlier in this run (not yet there in a dry run) is active unless its first row said not.
    const before = sql`CASE WHEN ${created} THEN 'null' WHEN t.id IS NULL OR t.active = 1 THEN 'true' ELSE 'false' END`;
    const after = jsonFlagSql(sql`r.active_value`);
    return {
      changes: [
        {
          key: 'active',
          when: sql`r.active_value IS NOT NULL AND ${before} <> ${after}`,
          value: jsonPairSql(before, after),
        },
        // A password cell always sets a new hash; the change says so without showing either.
        {
          key: 'password',
          when: sql`r.password_digest IS NOT NULL`,
          value: sql`CASE WHEN ${created} OR t.password_hash IS NULL THEN '[null,"(set)"]' ELSE '["(hidden)","(changed)"]' END`,
        },
      ],
    };
  },
  async afterApply(db, ctx, from, to) {
    // The users table holds the hash now; the staged copy is not kept.
    await sql`UPDATE import_rows SET password_hash = NULL
      WHERE run_id = ${ctx.runId} AND row_no BETWEEN ${from} AND ${to} AND password_hash IS NOT NULL`.execute(
      db,
    );
  },
};

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
  undoTables: { users: { withWorkspace: true, timestamped: true } },
  stagedTarget: 'email_ci',
  plan,
  applyBatch: (db, ctx, from, to) => applyUpsertBatch(upsert, db, ctx, from, to),
};
