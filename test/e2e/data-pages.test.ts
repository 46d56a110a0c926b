import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/domain/users.js';
import { addWorkspace, type Workspace } from '../../src/domain/workspaces.js';
import { launchChromium, screenshot, scrollToTop, sidewaysOverflow } from '../support/browser.js';
import { rosterInProcess } from '../support/cli.js';
import { buildWorld, importCsv, positionOf, writeCsv } from '../support/factories.js';
import { startServer, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

const ADMIN = { email: 'ada@example.com', password: 'correct horse battery' };
const MEMBER = { email: 'mo@example.com', password: 'member-secret-1' };
const FRESH = { email: 'new@fresh.example', password: 'fresh-secret-1' };

const CONTACTS = [
  'email,first_name,last_name,company_id,labels,renewal',
  'rita.reader@example.com,Rita,Reader,CUST001,Newsletter,2025-01-31',
  'sam.sender@example.com,Sam,Sender,CUST002,,',
].join('\n');
const BUYERS = 'customer_ref,email_address,position_name\nCUST001,rita.reader@example.com,Buyer\n';

describe('the data pages in Chromium', () => {
  let t: TestDatabase;
  let ws: Workspace;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
    await addUser(t.conn.db, ws.id, { ...ADMIN, first_name: 'Ada', role: 'admin' });
    const fresh = await addWorkspace(t.conn.db, 'fresh', 'Fresh start');
    await addUser(t.conn.db, fresh.id, { ...FRESH, role: 'admin' });
    server = await startServer(t.env);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await t?.cleanup();
  });

  async function signedIn(
    user: { email: string; password: string },
    viewport = { width: 1280, height: 900 },
  ) {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('dialog', (d) => void d.accept());
    await page.goto(server.url);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'New import', level: 1 }).waitFor();
    return page;
  }

  const nav = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  async function importFile(page: Page, kind: string, csv: string, name: string) {
    await nav(page, 'New import').click();
    await page.getByRole('radio', { name: kind, exact: true }).check();
    await page.locator('input[type=file]').setInputFiles(writeCsv(csv, name));
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Apply to Acme' }).click();
    await page.getByRole('heading', { name: 'Result' }).waitFor();
  }

  it('prepares, imports, finds, edits, shows history, undoes and exports contacts as an admin', async () => {
    const page = await signedIn(ADMIN);

    // What the import needs, created in the UI: a position, a label, a custom field.
    await nav(page, 'Setup').click();
    await page.getByRole('heading', { name: 'Positions', level: 1 }).waitFor();
    await page.getByLabel('Position name').fill('Buyer');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const positions = page.getByRole('table', { name: /positions/ });
    await positions.getByRole('row', { name: /Buyer/ }).waitFor();
    // Deleting a position still held is refused with the number of uses.
    await positions.getByRole('button', { name: 'Delete the position Finance Director' }).click();
    await page.getByRole('alert').filter({ hasText: 'is held by 1 person' }).waitFor();
    await screenshot(page, '12-positions');

    await page
      .getByRole('navigation', { name: 'What imports refer to' })
      .getByRole('link', { name: 'Labels' })
      .click();
    await page.getByRole('heading', { name: 'Labels', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Labels', level: 1 }).waitFor();
    expect(await page.locator('.empty').textContent()).toContain('No labels yet.');
    await page.getByLabel('Label name').fill('Newsletter');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('table', { name: '1 label' }).waitFor();
    await page.getByRole('button', { name: 'Rename Newsletter' }).click();
    await page.getByLabel('New name').fill('Newsletter ');
    await page.getByLabel('New name').press('Escape');
    await screenshot(page, '13-labels');

    await page.getByRole('link', { name: 'Custom fields' }).click();
    await page.getByLabel('Variable').fill('renewal');
    await page.getByLabel('Label (optional)').fill('Renewal date');
    await page.getByLabel('Type').selectOption('date');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('table', { name: '1 custom field' }).waitFor();
    await screenshot(page, '14-fields');

    await importFile(page, 'contacts', CONTACTS, 'contacts.csv');
    await importFile(page, 'positions', BUYERS, 'buyers.csv');
    expect(await positionOf(t.conn.db, 'CUST001', 'rita.reader@example.com')).toBe('Buyer');

    // Find the contact by searching.
    await nav(page, 'Contacts').click();
    await page.getByRole('table', { name: /contacts, by email/ }).waitFor();
    await page.getByLabel('Search').fill('READER');
    const found = page.getByRole('table', { name: '1 contact found, by email' });
    await found.waitFor();
    expect(await found.locator('tbody tr').allTextContents()).toEqual(['rita.reader@example.comRita Reader']);
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Label', { exact: true }).selectOption({ label: 'Newsletter' });
    await page.getByRole('table', { name: '1 contact found, by email' }).waitFor();
    await page.getByLabel('Label', { exact: true }).selectOption({ label: 'any' });
    await page.getByRole('table', { name: /^6 contacts, by email/ }).waitFor();
    await screenshot(page, '15-contacts');

    // Export contacts: the download is what `roster export contacts` writes.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'contacts', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('acme-contacts.csv');
    const cli = await rosterInProcess(['export', 'contacts', '--workspace', 'acme'], t.env);
    expect(cli.status).toBe(0);
    const downloaded = fs.readFileSync((await download.path())!, 'utf8');
    expect(downloaded).toBe(cli.stdout);
    expect(downloaded).toContain('rita.reader@example.com,Rita,Reader,CUST001,Newsletter,2025-01-31');

    await page.getByLabel('Search').fill('rita');
    await page.getByRole('table', { name: '1 contact found, by email' }).getByRole('link').click();
    await page.getByRole('heading', { name: 'rita.reader@example.com', level: 1 }).waitFor();
    expect(await page.getByLabel('Newsletter').isChecked()).toBe(true);

    // A bad custom field value is refused with the message the import gives the same value.
    const dry = await importCsv(
      t.conn.db,
      ws,
      'contacts',
      'email,renewal\nrita.reader@example.com,2025-02-30\n',
      {
        dryRun: true,
      },
    );
    const importMessage = dry.invalid[0]!.message;
    expect(importMessage).toBe('"2025-02-30" in renewal is not a date.');
    const renewal = page.getByLabel(/Renewal date/);
    expect(await renewal.inputValue()).toBe('2025-01-31');
    await renewal.fill('2025-02-30');
    await page.getByRole('button', { name: 'Save contact' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Not saved.' });
    await refused.waitFor();
    expect(await refused.textContent()).toContain(importMessage);
    expect(await refused.textContent()).toContain('Write a real calendar date as YYYY-MM-DD');
    await screenshot(page, '16-contact-refused');

    await renewal.fill('2025-06-30');
    await page.getByRole('button', { name: 'Save contact' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const stored = await t.conn.db
      .selectFrom('contact_field_values')
      .select('value')
      .where('contact_id', '=', (eb) =>
        eb.selectFrom('contacts').select('id').where('email', '=', 'rita.reader@example.com'),
      )
      .executeTakeFirstOrThrow();
    expect(stored.value).toBe('2025-06-30');

    // The history: the edit, then the positions import, then the contacts import that created it.
    const entries = page.locator('.history-entry');
    await entries.nth(2).waitFor();
    const texts = await entries.allInnerTexts();
    expect(texts).toHaveLength(3);
    expect(texts[0]).toMatch(/^Changed · edited in Roster/);
    expect(texts[0]).toContain(`by ${ADMIN.email}`);
    expect(texts[0]).toMatch(/renewal\s+2025-01-31\s+→\s+2025-06-30/);
    expect(texts[1]).toMatch(/^Changed · CUST001 · import of \d+-buyers\.csv, line 2/);
    expect(texts[1]).toMatch(/position_name\s+\(empty\)\s+→\s+Buyer/);
    expect(texts[2]).toMatch(/^Created · import of \d+-contacts\.csv, line 2/);
    expect(texts[2]).toMatch(/labels\s+\(empty\)\s+→\s+Newsletter/);
    expect(texts[2]).toMatch(/renewal\s+\(empty\)\s+→\s+2025-01-31/);
    const customers = page.getByRole('table', { name: /The customers .* is a person of/ });
    expect(await customers.getByLabel('Position').inputValue()).toBe('Buyer');
    await scrollToTop(page.getByRole('heading', { name: 'History' }));
    await screenshot(page, '17-contact-history');

    // Undo the positions import from there: its report, its undo, and back to the contact.
    await entries.nth(1).getByRole('link').click();
    await page.getByRole('button', { name: 'Undo this import…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Undo the import' }).click();
    await page.getByRole('heading', { name: 'Undo report' }).waitFor();
    expect(await positionOf(t.conn.db, 'CUST001', 'rita.reader@example.com')).toBeNull();
    await page.goBack();
    await page.getByRole('heading', { name: 'rita.reader@example.com', level: 1 }).waitFor();
    await entries.nth(2).waitFor();
    expect(await entries.nth(1).textContent()).toContain('undone');
    expect(await customers.getByLabel('Position').inputValue()).toBe('');

    // A customer: its persons, editable in place, and its history.
    await customers.getByRole('link', { name: 'CUST001' }).click();
    await page.getByRole('heading', { name: 'Globex (CUST001)', level: 1 }).waitFor();
    const persons = page.getByRole('table', { name: /The contacts of CUST001/ });
    const rita = persons.locator('tbody tr', { hasText: 'rita.reader@example.com' });
    await rita.getByLabel('Position').selectOption('CEO');
    await rita.getByLabel('primary').check();
    // Two edits (position, primary): wait for the first entry of them; the second may be there already.
    await page.locator('.history-entry').filter({ hasText: 'edited in Roster' }).first().waitFor();
    expect(await positionOf(t.conn.db, 'CUST001', 'rita.reader@example.com')).toBe('CEO');
    await screenshot(page, '18-customer');

    await nav(page, 'Customers').click();
    await page.getByLabel('Sort by').selectOption('name');
    await page.getByRole('table', { name: '4 customers, by name' }).waitFor();
    expect(await page.locator('table.records tbody td:nth-child(2)').allTextContents()).toEqual([
      'Globex',
      'Hooli',
      'Initech',
      'Umbrella',
    ]);
    await screenshot(page, '19-customers');

    // Users and tokens: invite a member, create a token (shown once).
    await nav(page, 'Users').click();
    await page.getByLabel('Email').fill(MEMBER.email);
    await page.getByLabel('Password (at least').fill(MEMBER.password);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${MEMBER.email} can sign in now.` })
      .waitFor();
    await page.getByRole('row', { name: new RegExp(MEMBER.email) }).waitFor();
    await screenshot(page, '20-users');
    await nav(page, 'Tokens').click();
    await page.getByLabel('What the token is for').fill('nightly sync');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.locator('code.token').textContent();
    expect(token).toMatch(/^roster_/);
    const works = await fetch(`${server.url}/api/contacts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(works.status).toBe(200);
    await screenshot(page, '21-tokens');
    await page.context().close();
  });

  it('shows a member no users or tokens pages, and says why where an admin action would be', async () => {
    await addUser(t.conn.db, ws.id, {
      email: 'mia@example.com',
      password: 'member-secret-2',
      role: 'member',
    });
    const page = await signedIn({ email: 'mia@example.com', password: 'member-secret-2' });
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(links).toEqual(['New import', 'History', 'Customers', 'Contacts', 'Setup']);
    await page.goto(`${server.url}/users`);
    await page.getByText('Only an admin can see and manage users; you are signed in as a member.').waitFor();
    await page.goto(`${server.url}/tokens`);
    await page
      .getByText('Only an admin can see and manage API tokens; you are signed in as a member.')
      .waitFor();
    await page.goto(`${server.url}/positions`);
    await page.getByText('Only an admin can create, rename or delete positions').waitFor();
    expect(await page.getByRole('button', { name: 'Create' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Rename/ }).count()).toBe(0);
    await screenshot(page, '22-member-positions');
    await page.context().close();
  });

  it('tells a new workspace what to create first, and fits a 390 px phone', async () => {
    const page = await signedIn(FRESH, { width: 390, height: 844 });
    await nav(page, 'Contacts').click();
    const empty = page.locator('.empty');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('No contacts yet.');
    expect(await empty.getByRole('link', { name: 'new import' }).getAttribute('href')).toBe('/');
    expect(await sidewaysOverflow(page)).toEqual([]);
    await screenshot(page, '23-phone-empty-contacts');
    await nav(page, 'Customers').click();
    await page.locator('.empty').filter({ hasText: 'No customers yet.' }).waitFor();
    await page.getByRole('textbox', { name: 'Ref' }).fill('C1');
    await page.getByLabel('Name', { exact: true }).fill('First customer');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.getByRole('heading', { name: 'First customer (C1)', level: 1 }).waitFor();
    expect(await sidewaysOverflow(page)).toEqual([]);
    await page.context().close();

    const phone = await signedIn(ADMIN, { width: 390, height: 844 });
    await nav(phone, 'Contacts').click();
    await phone.getByLabel('Search').fill('rita');
    await phone.getByRole('table', { name: '1 contact found, by email' }).getByRole('link').click();
    await phone.getByRole('heading', { name: 'rita.reader@example.com', level: 1 }).waitFor();
    await phone.locator('.history-entry').first().waitFor();
    expect(await sidewaysOverflow(phone)).toEqual([]);
    await screenshot(phone, '24-phone-contact');
    await phone.context().close();
  });
});
