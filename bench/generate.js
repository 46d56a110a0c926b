// Streams the benchmark's CSV files to disk in chunks, so memory stays flat whatever the row count.
import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';

export const CUSTOMERS = 1000;
export const POSITIONS = ['Account Manager', 'Finance Director', 'Operations Manager', 'CEO'];

// Accented names on purpose: the files are UTF-8 and the engine must carry them through untouched.
// Adjacent entries differ, so FIRST_NAMES[i + 1] is always a real change of FIRST_NAMES[i].
const FIRST_NAMES = [
  'Zoë',
  'Jürgen',
  'Renée',
  'Åsa',
  'Łukasz',
  'Chloé',
  'Søren',
  'Inês',
  'Bjørn',
  'Amélie',
  'José',
];
const LAST_NAMES = [
  'Müller',
  'Núñez',
  "O'Brien",
  'Dvořák',
  'Ångström',
  'Gómez',
  'Weiß',
  'Lefèvre',
  'Dupont, Jr.',
];

const LINES_PER_CHUNK = 5000;

/** A CSV cell, quoted (RFC 4180) when it holds a comma, a quote or a line break. */
function cell(value) {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const customerRef = (i) => `C${String(i % CUSTOMERS).padStart(5, '0')}`;
const email = (i) => `contact.${i}@bench.example`;

/** Writes `header` and then `count` lines made by `line(i)`, chunk by chunk, honouring back-pressure. */
async function writeCsv(file, header, count, line) {
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  const closed = once(out, 'close');
  let chunk = `${header.map(cell).join(',')}\n`;
  for (let i = 0; i < count; i++) {
    chunk += `${line(i).map(cell).join(',')}\n`;
    if ((i + 1) % LINES_PER_CHUNK === 0) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await closed;
  return file;
}

/**
 * The files of one benchmark of `rows` rows, over a workspace that holds `existing` contacts (≥ rows/2):
 * - customers.csv: C00000…C00999 (setup);
 * - contacts-setup.csv: contacts 0…existing-1 (setup), each linked to a customer;
 * - contacts.csv: `rows` rows; the first ⌊rows/2⌋ change the first_name of contacts 0…⌊rows/2⌋-1, the rest
 *   are new contacts (numbered from `existing` on); with `mix` 'interleaved' the updates are the even rows
 *   and the new contacts the odd ones, so every part of the file does the same work;
 * - positions.csv: `rows` rows setting a position on the (customer, contact) link of each row of contacts.csv.
 */
export async function generateFiles(dir, rows, existing = Math.floor(rows / 2), mix = 'halves') {
  const updates = Math.floor(rows / 2);
  if (existing < updates) throw new Error(`BENCH_EXISTING must be at least rows/2 (${updates})`);
  if (mix !== 'halves' && mix !== 'interleaved') throw new Error('BENCH_MIX must be halves or interleaved');
  const isUpdate = (j) => (mix === 'interleaved' ? j % 2 === 0 && j / 2 < updates : j < updates);
  // Updates come before row j: all of them in halves, one in two interleaved.
  const updatesBefore = (j) => Math.min(mix === 'interleaved' ? Math.ceil(j / 2) : j, updates);
  // Row j of contacts.csv and positions.csv is about contact `index(j)`.
  const index = (j) => (isUpdate(j) ? updatesBefore(j) : existing + j - updatesBefore(j));
  const contact = (i, firstName) => [email(i), firstName, LAST_NAMES[i % LAST_NAMES.length], customerRef(i)];
  const files = {
    customers: await writeCsv(path.join(dir, 'customers.csv'), ['ref', 'name'], CUSTOMERS, (i) => [
      customerRef(i),
      `Société Müller & Fils ${customerRef(i)}`,
    ]),
    contactsSetup: await writeCsv(
      path.join(dir, 'contacts-setup.csv'),
      ['email', 'first_name', 'last_name', 'company_id'],
      existing,
      (i) => contact(i, FIRST_NAMES[i % FIRST_NAMES.length]),
    ),
    contacts: await writeCsv(
      path.join(dir, 'contacts.csv'),
      ['email', 'first_name', 'last_name', 'company_id'],
      rows,
      (j) => contact(index(j), FIRST_NAMES[(isUpdate(j) ? index(j) + 1 : index(j)) % FIRST_NAMES.length]),
    ),
    positions: await writeCsv(
      path.join(dir, 'positions.csv'),
      ['customer_ref', 'email_address', 'position_name'],
      rows,
      (j) => [customerRef(index(j)), email(index(j)), POSITIONS[j % POSITIONS.length]],
    ),
  };
  return { files, existing, updates };
}
