import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { Db } from '../../db/dialect.js';
import { addPosition } from '../../domain/positions.js';
import { addUser } from '../../domain/users.js';
import { addWorkspace, type Workspace } from '../../domain/workspaces.js';
import { KINDS } from '../../imports/kinds/index.js';
import { runImport } from '../../imports/run-import.js';
import { deleteWorkspaceRuns } from '../../imports/run-repository.js';
import { DEFAULT_OPTIONS } from '../../imports/import-options.js';
import type { KindName } from '../../imports/types.js';
import { withDatabase } from '../context.js';
import { formatSummary } from '../summary.js';
import { port, serveUntilStopped } from './serve.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../examples');
const POSITIONS = ['Account Manager', 'Finance Director', 'Operations Manager', 'Sales Lead', 'CEO'];

/** (Re)creates the `demo` workspace from the example files, using the import engine itself. */
export async function createDemo(db: Db, print: (text: string) => void): Promise<Workspace> {
  const old = await db.selectFrom('workspaces').select('id').where('slug', '=', 'demo').executeTakeFirst();
  if (old) {
    await deleteWorkspaceRuns(db, old.id);
    await db.deleteFrom('workspaces').where('id', '=', old.id).execute();
  }
  const ws = await addWorkspace(db, 'demo', 'Demo workspace');
  for (const name of POSITIONS) await addPosition(db, ws.id, name);
  const steps: [KindName, string][] = [
    ['customers', 'demo-customers.csv'],
    ['contacts', 'demo-contacts.csv'],
    ['persons', 'demo-persons.csv'],
    ['positions', 'positions.csv'],
    ['mark-primary', 'primary.csv'],
  ];
  for (const [kind, file] of steps) {
    const report = await runImport(db, {
      workspace: ws,
      kind,
      filePath: path.join(EXAMPLES, file),
      actor: 'demo',
      options: DEFAULT_OPTIONS,
    });
    print(`$ roster import ${kind} examples/${file}\n${formatSummary(report, KINDS[kind].keyColumns)}\n`);
  }
  return ws;
}

/** The user `roster demo --serve` signs in with; its password is new (and printed) on every start. */
export const DEMO_USER = 'demo@example.com';

interface DemoOpts {
  serve?: boolean;
  port: number;
  host: string;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('create (or reset) the workspace "demo" with sample data and run the sample imports')
    .option(
      '--serve',
      `then serve the web UI and the API, with a user ${DEMO_USER} to sign in as (a new password each time)`,
    )
    .option('--port <port>', 'with --serve: TCP port (0: any free port)', port, 3000)
    .option('--host <host>', 'with --serve: address to listen on', '127.0.0.1')
    .action(async (opts: DemoOpts) => {
      const print = (t: string) => process.stdout.write(`${t}\n`);
      const password = opts.serve ? randomBytes(9).toString('base64url') : undefined;
      await withDatabase(async ({ db }) => {
        const ws = await createDemo(db, print);
        if (password) {
          // The workspace was just recreated, so the user is new each time, with a fresh password.
          await addUser(db, ws.id, { email: DEMO_USER, password, first_name: 'Demo', role: 'admin' });
          return;
        }
        print(
          [
            'The demo workspace is ready. Try:',
            '  roster export persons --workspace demo',
            '  roster import positions examples/positions.csv --workspace demo --dry-run',
            '  roster imports list --workspace demo',
            '  roster demo --serve          (the web UI on http://127.0.0.1:3000)',
          ].join('\n'),
        );
      });
      if (!password) return;
      const config = loadConfig();
      await serveUntilStopped(config, opts, {
        // Request logs only when asked for with ROSTER_LOG_LEVEL: the terminal is for the sign-in line.
        logger: process.env.ROSTER_LOG_LEVEL ? undefined : { level: 'warn' },
        banner: (url) =>
          `\nOpen ${url} and sign in as ${DEMO_USER} / ${password}\n(Ctrl+C stops the server.)`,
      });
    });
}
