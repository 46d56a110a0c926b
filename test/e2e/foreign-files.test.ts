import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addField } from '../../src/domain/fields.js';
import { addUser } from '../../src/domain/users.js';
import { launchChromium } from '../support/browser.js';
import { buildWorld, writeCsv } from '../support/factories.js';
import { foreignExports } from '../support/foreign-exports.js';
import { startServer, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { writeXlsx } from '../support/xlsx.js';

const USER = { email: 'ada@example.com', password: 'correct horse battery' };

describe('files from other systems in the web UI', () => {
  let t: TestDatabase;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    t = await createTestDatabase();
    const ws = await buildWorld(t.conn.db);
    await addUser(t.conn.db, ws.id, { ...USER, first_name: 'Ada', role: 'admin' });
    await addField(t.conn.db, ws.id, { variable: 'phone', type: 'text' }, []);
    server = await startServer(t.env);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await t?.cleanup();
  });

  async function signedIn(viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(server.url);
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'New import', level: 1 }).waitFor();
    return page;
  }

  const emails = async () =>
    (await t.conn.db.selectFrom('contacts').select('email').orderBy('email').execute()).map((r) => r.email);

  const contacts = () =>
    t.conn.db.selectFrom('contacts').select(['email', 'first_name', 'last_name']).orderBy('email').execute();

  it('takes a Google Contacts export through the mapping step from drop to applied, on a phone', async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await page.getByRole('radio', { name: 'contacts', exact: true }).check();
    const google = foreignExports().find((f) => f.family.startsWith('Google Contacts (current'))!;
    await page.locator('input[type=file]').setInputFiles(writeCsv(google.file, 'google.csv'));
    const step = page.locator('.mapping-step');
    await step.getByRole('heading', { name: 'Columns of the file' }).waitFor();
    // One line per column of the file, its first values, and the column preselected for it.
    const email = step.getByLabel('E-mail 1 - Value', { exact: true });
    expect(await email.inputValue()).toBe('email');
    expect(
      await step
        .locator('.mapping-line')
        .filter({ has: page.getByLabel('E-mail 1 - Value', { exact: true }) })
        .textContent(),
    ).toContain('ada@example.com · grace@example.org');
    expect(await step.getByLabel('First Name', { exact: true }).inputValue()).toBe('first_name');
    expect(await step.getByLabel('Last Name', { exact: true }).inputValue()).toBe('last_name');
    expect(await step.getByLabel('Labels', { exact: true }).inputValue()).toBe(''); // Google's groups
    expect(await step.getByLabel('Phone 1 - Value', { exact: true }).inputValue()).toBe('');
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();
    const check = (await page.locator('.file-check').textContent()) ?? '';
    expect(check).toContain('Column "E-mail 1 - Value" was read as "email"');
    expect(check).not.toMatch(/--[a-z]/); // no CLI flags in the UI
    const facts = (await page.locator('.file-check .facts').textContent()) ?? '';
    expect(facts).toContain('"E-mail 1 - Value" → email');
    expect(facts).toMatch(/Left out\s*\d+ columns/);

    // A required column left without a source is said; choosing it again brings the preview back.
    await email.selectOption('');
    await step.getByText('Still needed: email').waitFor();
    await page.locator('.file-check').getByRole('alert').waitFor();
    await email.selectOption('email');
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();

    // Changing a choice with the keyboard runs the check again, and focus stays on the select.
    const last = step.getByLabel('Last Name', { exact: true });
    await last.focus();
    await last.selectOption('');
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();
    expect(
      await page.evaluate(() => document.activeElement?.closest('.mapping-line')?.textContent),
    ).toContain('Last Name');
    await page.keyboard.press('Tab');

    // A custom field is a target like the kind's own columns.
    await step.getByLabel('Phone 1 - Value', { exact: true }).selectOption('phone');
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();

    await step.getByLabel('Save these choices as a mapping named').fill('Google contacts');
    await step.getByRole('button', { name: 'Save mapping' }).click();
    await step.getByText('Saved as “Google contacts”').waitFor();
    const saved = await t.conn.db.selectFrom('saved_mappings').select(['name', 'columns']).execute();
    expect(saved.map((m) => m.name)).toEqual(['Google contacts']);
    expect(JSON.parse(saved[0]!.columns)).toMatchObject({ 'E-mail 1 - Value': 'email', 'Last Name': null });

    expect(await emails()).not.toContain('ada@example.com');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await page.getByRole('button', { name: 'Apply to Acme' }).click();
    await page.getByRole('heading', { name: 'Result' }).waitFor();
    expect(await contacts()).toEqual(
      expect.arrayContaining([
        { email: 'ada@example.com', first_name: 'Ada', last_name: null },
        { email: 'grace@example.org', first_name: 'Grace', last_name: null },
      ]),
    );
    const phones = await t.conn.db
      .selectFrom('contact_field_values')
      .innerJoin('contacts', 'contacts.id', 'contact_field_values.contact_id')
      .select(['contacts.email', 'contact_field_values.value'])
      .orderBy('contacts.email')
      .execute();
    expect(phones).toEqual([
      { email: 'ada@example.com', value: '+44 20 7946 0000' },
      { email: 'grace@example.org', value: '+44 20 7946 0000' },
    ]);
  });

  it('preselects what was chosen last for the same header in the next file', async () => {
    const page = await signedIn();
    await page.getByRole('radio', { name: 'contacts', exact: true }).check();
    const google = foreignExports().find((f) => f.family.startsWith('Google Contacts (current'))!;
    const next = google.file.replace(/ada@example\.com/g, 'ada.next@example.com');
    await page.locator('input[type=file]').setInputFiles(writeCsv(next, 'google-again.csv'));
    const step = page.locator('.mapping-step');
    await step.getByRole('heading', { name: 'Columns of the file' }).waitFor();
    const phone = step.getByLabel('Phone 1 - Value', { exact: true });
    expect(await phone.inputValue()).toBe('phone'); // what was chosen for this header last time
    expect(
      await step
        .locator('.mapping-line')
        .filter({ has: page.getByLabel('Phone 1 - Value', { exact: true }) })
        .textContent(),
    ).toContain('chosen for this header last time');
    // A recognised header comes before what was chosen last (the order of the issue): Last Name is last_name.
    expect(await step.getByLabel('Last Name', { exact: true }).inputValue()).toBe('last_name');
    expect(await step.getByLabel('E-mail 1 - Value', { exact: true }).inputValue()).toBe('email');
  });

  it('offers the header line when line 1 does not look like a header (LinkedIn), then maps from there', async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await page.getByRole('radio', { name: 'contacts', exact: true }).check();
    const linkedin = foreignExports().find((f) => f.family.startsWith('LinkedIn'))!;
    await page.locator('input[type=file]').setInputFiles(writeCsv(linkedin.file, 'Connections.csv'));
    const step = page.locator('.mapping-step');
    await step.getByText('Line 1 does not look like a header').waitFor();
    await step.getByLabel('The header row is on line').fill('4');
    await step.getByRole('button', { name: 'Read from that line' }).click();
    await step.getByLabel('Email Address', { exact: true }).waitFor();
    expect(await step.getByLabel('Email Address', { exact: true }).inputValue()).toBe('email');
    expect(await step.getByText('does not look like a header').count()).toBe(0);
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain('Checked: 2 rows.');
  });

  it('says "Excel workbook, sheet …" for an .xlsx file instead of an encoding', async () => {
    const page = await signedIn();
    await page.getByRole('radio', { name: 'contacts', exact: true }).check();
    const path = await writeXlsx({
      Contacts: [
        ['Email', 'First Name'],
        ['xl@example.com', 'Excel'],
      ],
    });
    await page.locator('input[type=file]').setInputFiles(path);
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();
    const facts = (await page.locator('.file-check .facts').textContent()) ?? '';
    expect(facts).toContain('Excel workbook, sheet Contacts');
    expect(facts).not.toContain('Encoding');
    expect(await page.getByRole('status').first().textContent()).toContain('Checked: 1 row.');
  });
});
