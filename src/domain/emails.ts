import type { Db } from '../db/dialect.js';
import { AppError } from '../errors.js';
import { rethrowTaken } from './already-exists.js';
import { isProblem, missing, type RowProblem } from './row-problem.js';
import { foldCase, quoted } from './text.js';

/** The records whose email is unique per workspace in any case, and what people call them. */
const OWNERS = { contacts: 'contact', users: 'user' } as const;
type Owner = keyof typeof OWNERS;

const EMAIL = /^[^\s@",;<>()[\]]+@[^\s@",;<>()[\]]+\.[^\s@",;<>()[\].]+$/u;

// Format characters (zero-width, joiners, bidi controls, soft hyphen, BOM), controls and the invisible
// fillers: never part of a real address, and they make one address pass for another.
const INVISIBLE = /[\p{Cf}\p{Cc}\u034f\u115f\u1160\u3164\uffa0]/u;

/**
 * A checked email in NFC (so `josé` typed composed or decomposed is one address), or a problem naming the
 * column. Deliberately permissive: accents are allowed; invisible and text-direction characters are not.
 */
export function checkEmail(value: string, column: string): string | RowProblem {
  if (value === '') return missing(column);
  if (INVISIBLE.test(value)) {
    return {
      reason: 'invalid_email',
      column,
      message: `${quoted(value)} in ${column} holds an invisible or text-direction character.`,
      hint: 'Type the address again: such characters make one address look like another.',
    };
  }
  value = value.normalize('NFC');
  if (value.length > 254 || !EMAIL.test(value)) {
    return {
      reason: 'invalid_email',
      column,
      message: `${quoted(value)} in ${column} is not an email address.`,
      hint: 'Write it as name@example.com.',
    };
  }
  return value;
}

/** A trimmed, valid email address, or an `invalid_request` naming the problem. */
export function checkedEmail(value: string): string {
  const email = checkEmail(value.trim(), 'email');
  if (isProblem(email)) throw new AppError('invalid_request', email.message, email.hint);
  return email;
}

/** Emails are unique per workspace in any case (SPEC 1): "Ann@x.org" is taken once "ann@x.org" exists. */
export async function refuseTakenEmail(
  db: Db,
  table: Owner,
  workspaceId: number,
  email: string,
  ownId: number | undefined,
): Promise<void> {
  const taken = await db
    .selectFrom(table)
    .select('email')
    .where('workspace_id', '=', workspaceId)
    .where('email_ci', '=', foldCase(email))
    .$if(ownId !== undefined, (qb) => qb.where('id', '<>', ownId!))
    .executeTakeFirst();
  if (taken) throw new AppError('already_exists', takenMessage(table, taken.email));
}

/** For `.catch`: a unique violation (two writers at once) becomes the same `already_exists`. */
export function rethrowTakenEmail(db: Db, table: Owner, email: string) {
  return rethrowTaken(db, takenMessage(table, email));
}

function takenMessage(table: Owner, email: string): string {
  return `A ${OWNERS[table]} with email "${email}" exists.`;
}
