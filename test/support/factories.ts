import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/db/dialect.js';
import { addCustomer } from '../../src/domain/customers.js';
import { addPosition } from '../../src/domain/positions.js';
import { now, foldCase } from '../../src/domain/text.js';
import { addWorkspace, type Workspace } from '../../src/domain/workspaces.js';
import { runImport } from '../../src/imports/run-import.js';
import { DEFAULT_OPTIONS, type ImportOptions } from '../../src/imports/import-options.js';
import type { ImportReport, KindName } from '../../src/imports/types.js';
import { rosterInProcess } from './cli.js';

let counter = 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-csv-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes CSV text (or bytes) to a temp file and returns its path. */
export function writeCsv(content: string | Buffer, name = `file-${++counter}.csv`): string {
  const file = path.join(dir, `${counter}-${name}`);
  fs.writeFileSync(file, content);
  return file;
}

/** A workspace with the sample world: customers CUST001–CUST004, their persons, and positions. */
export async function buildWorld(db: Db, slug = 'acme'): Promise<Workspace> {
  const ws = await addWorkspace(db, slug, 'Acme');
  for (const name of ['Account Manager', 'Finance Director', 'Operations Manager', 'CEO']) {
    await addPosition(db, ws.id, name);
  }
  const customers = [
    { ref: 'CUST001', name: 'Globex', erp_id: 'E-1' },
    { ref: 'CUST002', name: 'Initech', erp_id: 'E-2' },
    { ref: 'CUST003', name: 'Umbrella', erp_id: null },
    { ref: 'CUST004', name: 'Hooli', erp_id: 'E-4' },
  ];
  for (const c of customers) await addCustomer(db, ws.id, c);
  const persons: [string, string, string, string, string?][] = [
    ['CUST001', 'john.doe@example.com', 'John', 'Doe'],
    ['CUST002', 'jane.smith@example.com', 'Jane', 'Smith', 'Finance Director'],
    ['CUST004', 'alice.brown@example.com', 'Alice', 'Brown'],
    ['CUST001', 'bob.wilson@example.com', 'Bob', 'Wilson'],
  ];
  for (const [ref, email, first, last, position] of persons) {
    await linkPerson(db, ws.id, ref, email, first, last, position);
  }
  return ws;
}

/** Creates (or reuses) a contact and links it to a customer. */
export async function linkPerson(
  db: Db,
  workspaceId: number,
  ref: string,
  email: string,
  first = 'A',
  last = 'B',
  position?: string,
) {
  let contact = await db
    .selectFrom('contacts')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('email_ci', '=', foldCase(email))
    .executeTakeFirst();
  if (!contact) {
    contact = await db
      .insertInto('contacts')
      .values({
        workspace_id: workspaceId,
        email,
        email_ci: foldCase(email),
        first_name: first,
        last_name: last,
        created_at: now(),
        updated_at: now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  }
  const customer = await db
    .selectFrom('customers')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('ref', '=', ref)
    .executeTakeFirstOrThrow();
  const pos = position
    ? await db
        .selectFrom('positions')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('name', '=', position)
        .executeTakeFirstOrThrow()
    : undefined;
  await db
    .insertInto('customer_contacts')
    .values({
      workspace_id: workspaceId,
      customer_id: customer.id,
      contact_id: contact.id,
      position_id: pos?.id ?? null,
      is_primary: 0,
      created_at: now(),
      updated_at: now(),
    })
    .execute();
}

/** A contacts file of `rows` new people: `person1@<domain>,First1,Last1` and on. */
export function newContactsCsv(rows: number, domain: string): string {
  const lines = ['email,first_name,last_name'];
  for (let i = 1; i <= rows; i++) lines.push(`person${i}@${domain},First${i},Last${i}`);
  return `${lines.join('\n')}\n`;
}

/** Runs an import of `csv` text through the real pipeline. */
export async function importCsv(
  db: Db,
  ws: Workspace,
  kind: KindName,
  csv: string | Buffer,
  options: Partial<ImportOptions> = {},
): Promise<ImportReport> {
  return runImport(db, {
    workspace: ws,
    kind,
    filePath: writeCsv(csv),
    actor: 'test',
    options: { ...DEFAULT_OPTIONS, ...options },
  });
}

/** Runs an import of `csv` text through the CLI (`roster import … --json`, in this process) and returns its report. */
export async function importCsvByCli(
  env: Record<string, string>,
  kind: KindName,
  csv: string,
  slug = 'acme',
): Promise<ImportReport> {
  const { stdout } = await rosterInProcess(['import', kind, writeCsv(csv), '-w', slug, '--json'], env);
  return JSON.parse(stdout) as ImportReport;
}

/** A run as stored: its status and its undo report (JSON), by its public id. */
export async function storedRun(db: Db, publicId: string) {
  return db
    .selectFrom('import_runs')
    .select(['status', 'undo_report'])
    .where('public_id', '=', publicId)
    .executeTakeFirstOrThrow();
}

/** Every person link of a workspace as `REF email position primary`, sorted: a snapshot to compare. */
export async function personsSnapshot(db: Db, workspaceId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('customer_contacts as l')
    .innerJoin('customers as c', 'c.id', 'l.customer_id')
    .innerJoin('contacts as p', 'p.id', 'l.contact_id')
    .leftJoin('positions as pos', 'pos.id', 'l.position_id')
    .select(['c.ref', 'p.email', 'pos.name as position', 'l.is_primary'])
    .where('l.workspace_id', '=', workspaceId)
    .execute();
  return rows.map((r) => `${r.ref} ${r.email} ${r.position ?? '-'} ${r.is_primary}`).sort();
}

/** The position of one person on one customer (of one workspace, where the database holds several), or null. */
export async function positionOf(
  db: Db,
  ref: string,
  email: string,
  workspaceId?: number,
): Promise<string | null> {
  let query = db
    .selectFrom('customer_contacts as l')
    .innerJoin('customers as c', 'c.id', 'l.customer_id')
    .innerJoin('contacts as p', 'p.id', 'l.contact_id')
    .leftJoin('positions as pos', 'pos.id', 'l.position_id')
    .select('pos.name')
    .where('c.ref', '=', ref)
    .where('p.email', '=', email);
  if (workspaceId !== undefined) query = query.where('l.workspace_id', '=', workspaceId);
  const row = await query.executeTakeFirstOrThrow();
  return row.name;
}
