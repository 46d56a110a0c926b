import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('takes a Google Contacts export from drop to applied without leaving the page, on a phone', async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await page.getByRole('radio', { name: 'contacts', exact: true }).check();
    await page.locator('input[type=file]').setInputFiles(writeCsv(foreignExports()[0]!.file, 'google.csv'));
    const check = page.locator('.file-check');
    await check.getByRole('alert').waitFor();
    const rejected = (await check.textContent()) ?? '';
    expect(rejected).toContain('"Phone 1 - Value"');
    expect(rejected).toContain('unknown_column');
    expect(rejected).not.toMatch(/--[a-z]/); // no CLI flags in the UI
    await page.getByRole('button', { name: 'Leave the other columns out' }).click();
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();
    const read = (await check.textContent()) ?? '';
    expect(read).toContain('Column "E-mail 1 - Value" was read as "email"');
    expect(read).toContain('columns_ignored');
    expect(await emails()).not.toContain('ada@example.com');
    await page.getByRole('button', { name: 'Apply to Acme' }).click();
    await page.getByRole('heading', { name: 'Result' }).waitFor();
    expect(await emails()).toEqual(expect.arrayContaining(['ada@example.com', 'grace@example.org']));
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
