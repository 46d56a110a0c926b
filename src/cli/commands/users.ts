import { Option, type Command } from 'commander';
import { MIN_PASSWORD_LENGTH, passwordLength } from '../../domain/passwords.js';
import { ROLES, type Role } from '../../domain/roles.js';
import { addUser, listUsers, userExists } from '../../domain/users.js';
import { AppError } from '../../errors.js';
import { printList, withWorkspace, workspaceOption } from '../context.js';
import { promptPassword, readPasswordFromStdin } from '../read-password.js';

interface AddOpts {
  workspace?: string;
  firstName?: string;
  lastName?: string;
  role: Role;
  passwordStdin?: boolean;
}

/** The new user's password: piped in with --password-stdin, or typed twice on the terminal. */
async function askPassword(passwordStdin: boolean | undefined): Promise<string> {
  if (passwordStdin) return readPasswordFromStdin();
  const password = await promptPassword('Password: ');
  if (passwordLength(password) < MIN_PASSWORD_LENGTH) {
    throw new AppError('usage', `The password is shorter than ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if ((await promptPassword('Password again: ')) !== password) {
    throw new AppError('usage', 'The two passwords differ: no user was added.');
  }
  return password;
}

/** `roster users add|list`: internal users, who sign in to the web UI. Hashes are never printed. */
export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('create and list internal users');
  workspaceOption(
    users
      .command('add <email>')
      .description('create a user; the password is asked for on the terminal, or read with --password-stdin')
      .option('--first-name <name>', 'first name')
      .option('--last-name <name>', 'last name')
      .addOption(new Option('--role <role>', 'role').choices(ROLES).default('admin'))
      .option('--password-stdin', 'read the password from standard input (one trailing newline is dropped)'),
  ).action((email: string, opts: AddOpts) =>
    withWorkspace(opts.workspace, async ({ db }, ws) => {
      // Refuse what would fail anyway before anyone types a password.
      if (await userExists(db, ws.id, email)) {
        throw new AppError('already_exists', `A user with email "${email.trim()}" exists.`);
      }
      const password = await askPassword(opts.passwordStdin);
      const user = await addUser(db, ws.id, {
        email,
        password,
        first_name: opts.firstName,
        last_name: opts.lastName,
        role: opts.role,
      });
      process.stdout.write(`Created ${user.role} ${user.email} in ${ws.slug}.\n`);
    }),
  );
  workspaceOption(users.command('list').option('--json', 'print JSON')).action(
    (opts: { workspace?: string; json?: boolean }) =>
      withWorkspace(opts.workspace, async ({ db }, ws) =>
        printList(await listUsers(db, ws.id), opts.json, 'No users yet: roster users add EMAIL'),
      ),
  );
}
