import path from 'node:path';
import type { Command } from 'commander';
import type { Db } from '../../db/dialect.js';
import { addPosition } from '../../domain/positions.js';
import { addWorkspace, type Workspace } from '../../domain/workspaces.js';
import { KINDS } from '../../imports/kinds/index.js';
import { runImport } from '../../imports/run-import.js';
import { DEFAULT_OPTIONS, type KindName } from '../../imports/types.js';
import { withDatabase } from '../context.js';
import { formatSummary } from '../summary.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../examples');
const POSITIONS = ['Account Manager', 'Finance Director', 'Operations Manager', 'Sales Lead', 'CEO'];

/** (Re)creates the `demo` workspace from the example files, using the import engine itself. */
export async function createDemo(db: Db, print: (text: string) => void): Promise<Workspace> {
  await db.deleteFrom('workspaces').where('slug', '=', 'demo').execute();
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

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('create (or reset) the workspace "demo" with sample data and run the sample imports')
    .action(() =>
      withDatabase(async ({ db }) => {
        const print = (t: string) => process.stdout.write(`${t}\n`);
        await createDemo(db, print);
        print(
          [
            'The demo workspace is ready. Try:',
            '  roster export persons --workspace demo',
            '  roster import positions examples/positions.csv --workspace demo --dry-run',
            '  roster imports list --workspace demo',
          ].join('\n'),
        );
      }),
    );
}
