import { Option, type Command } from 'commander';
import { ROLES, type Role } from '../../domain/roles.js';
import { createToken, listTokens, revokeToken } from '../../domain/tokens.js';
import { printList, withWorkspace, workspaceOption } from '../context.js';

/** `roster tokens create|list|revoke`: workspace API tokens; a token is printed once, only its hash is kept. */
export function registerTokensCommands(program: Command): void {
  const tokens = program.command('tokens').description('workspace API tokens for the HTTP API');
  workspaceOption(
    tokens
      .command('create')
      .description('create a token and print it once (only a hash of it is stored)')
      .option('--name <name>', 'what the token is for', 'api')
      .addOption(
        new Option('--role <role>', 'what the token may do: admin everything, member what a member may')
          .choices(ROLES)
          .default('admin'),
      ),
  ).action(async (opts: { workspace?: string; name: string; role: Role }) => {
    await withWorkspace(opts.workspace, async ({ db }, ws) => {
      const { token, listed } = await createToken(db, ws.id, opts.name, opts.role);
      process.stdout.write(`${token}\n`);
      process.stderr.write(
        `Token ${listed.id} "${listed.name}" (${listed.role}) for ${ws.slug}: shown once, keep it safe. ` +
          `Send it as "Authorization: Bearer <token>".\n`,
      );
    });
  });
  workspaceOption(
    tokens.command('list').description('list tokens (never the tokens themselves)').option('--json'),
  ).action(async (opts: { workspace?: string; json?: boolean }) => {
    await withWorkspace(opts.workspace, async ({ db }, ws) => {
      printList(await listTokens(db, ws.id), opts.json, 'No tokens.');
    });
  });
  workspaceOption(
    tokens.command('revoke <id>').description('revoke a token by id or prefix; it stops working at once'),
  ).action(async (id: string, opts: { workspace?: string }) => {
    await withWorkspace(opts.workspace, async ({ db }, ws) => {
      const t = await revokeToken(db, ws, id);
      process.stdout.write(`Token ${t.id} "${t.name}" revoked.\n`);
    });
  });
}
