import type { Command } from 'commander';
import { addCustomer, listCustomers } from '../../domain/customers.js';
import { addField, listFields } from '../../domain/fields.js';
import { addLabel, listLabels } from '../../domain/labels.js';
import { addPosition, listPositions } from '../../domain/positions.js';
import { addWorkspace, listWorkspaces } from '../../domain/workspaces.js';
import { KINDS } from '../../imports/kinds/index.js';
import { printList, withDatabase, withWorkspace, workspaceOption } from '../context.js';

interface WsOpts {
  workspace?: string;
  json?: boolean;
}

/** `roster workspaces|positions|labels|fields|customers …`: what imports refer to. */
export function registerEntityCommands(program: Command): void {
  const workspaces = program.command('workspaces').description('create and list workspaces');
  workspaces
    .command('add <slug>')
    .description('create a workspace')
    .option('--name <name>', 'display name (default: the slug)')
    .action((slug: string, opts: { name?: string }) =>
      withDatabase(async ({ db }) => {
        const ws = await addWorkspace(db, slug, opts.name);
        process.stdout.write(`Created workspace ${ws.slug} (${ws.name}).\n`);
      }),
    );
  workspaces
    .command('list')
    .option('--json', 'print JSON')
    .action((opts: WsOpts) =>
      withDatabase(async ({ db }) => {
        const rows = (await listWorkspaces(db)).map(({ slug, name }) => ({ slug, name }));
        printList(rows, opts.json, 'No workspaces yet: roster workspaces add SLUG');
      }),
    );

  const positions = program.command('positions').description('create and list positions');
  workspaceOption(positions.command('add <name>').description('create a position')).action(
    (name: string, opts: WsOpts) =>
      withWorkspace(opts.workspace, async ({ db }, ws) => {
        const p = await addPosition(db, ws.id, name);
        process.stdout.write(`Created position "${p.name}" in ${ws.slug}.\n`);
      }),
  );
  workspaceOption(positions.command('list').option('--json', 'print JSON')).action((opts: WsOpts) =>
    withWorkspace(opts.workspace, async ({ db }, ws) =>
      printList(
        (await listPositions(db, ws.id)).map(({ name }) => ({ name })),
        opts.json,
        'No positions yet.',
      ),
    ),
  );

  const labels = program.command('labels').description('create and list labels');
  workspaceOption(
    labels.command('add <name>').description('create a label').option('--id <id>', 'short stable id'),
  ).action((name: string, opts: WsOpts & { id?: string }) =>
    withWorkspace(opts.workspace, async ({ db }, ws) => {
      const l = await addLabel(db, ws.id, name, opts.id);
      process.stdout.write(`Created label "${l.name}" (id ${l.id}) in ${ws.slug}.\n`);
    }),
  );
  workspaceOption(labels.command('list').option('--json', 'print JSON')).action((opts: WsOpts) =>
    withWorkspace(opts.workspace, async ({ db }, ws) =>
      printList(await listLabels(db, ws.id), opts.json, 'No labels yet.'),
    ),
  );

  const fields = program.command('fields').description('create and list custom fields of contacts');
  workspaceOption(
    fields
      .command('add <variable>')
      .description('create a custom field; its variable is the CSV column that sets it')
      .requiredOption('--type <type>', 'text, number, boolean or date')
      .option('--label <label>', 'label for people (default: the variable)'),
  ).action((variable: string, opts: WsOpts & { type: string; label?: string }) =>
    withWorkspace(opts.workspace, async ({ db }, ws) => {
      const reserved = KINDS.contacts.columns.map((c) => c.name).concat(['labels', 'labels_id']);
      const f = await addField(db, ws.id, { variable, type: opts.type, label: opts.label }, reserved);
      process.stdout.write(`Created ${f.type} field ${f.variable} in ${ws.slug}.\n`);
    }),
  );
  workspaceOption(fields.command('list').option('--json', 'print JSON')).action((opts: WsOpts) =>
    withWorkspace(opts.workspace, async ({ db }, ws) =>
      printList(await listFields(db, ws.id), opts.json, 'No fields yet.'),
    ),
  );

  const customers = program.command('customers').description('create and list customers');
  workspaceOption(
    customers
      .command('add <ref>')
      .description('create a customer')
      .requiredOption('--name <name>', 'customer name')
      .option('--erp-id <id>', 'id in the ERP'),
  ).action((ref: string, opts: WsOpts & { name: string; erpId?: string }) =>
    withWorkspace(opts.workspace, async ({ db }, ws) => {
      const c = await addCustomer(db, ws.id, { ref, name: opts.name, erp_id: opts.erpId ?? null });
      process.stdout.write(`Created customer ${c.ref} (${c.name}) in ${ws.slug}.\n`);
    }),
  );
  workspaceOption(customers.command('list').option('--json', 'print JSON')).action((opts: WsOpts) =>
    withWorkspace(opts.workspace, async ({ db }, ws) =>
      printList(await listCustomers(db, ws.id), opts.json, 'No customers yet.'),
    ),
  );
}
