import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/domain/users.js';
import { launchChromium, screenshot, scrollToTop, sidewaysOverflow } from '../support/browser.js';
import { buildWorld, newContactsCsv, positionOf, writeCsv } from '../support/factories.js';
import { startServer, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

const POSITIONS = path.resolve(import.meta.dirname, '../../examples/positions.csv');
const USER = { email: 'ada@example.com', password: 'correct horse battery' };

describe('the web UI in Chromium', () => {
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

  async function openPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(server.url);
    return page;
  }

  async function signIn(page: Page) {
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'New import', level: 1 }).waitFor();
  }

  /** The number shown under a count's label ("Updated", "Will be updated", …). */
  async function count(page: Page, label: string): Promise<string | null> {
    return page
      .locator('dl.counts > div')
      .filter({ has: page.getByText(label, { exact: true }) })
      .locator('dd')
      .textContent();
  }

  it('imports the sample positions file: check, preview, apply, report, errors CSV, undo, history', async () => {
    const page = await openPage();

    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(USER.email);
    await screenshot(page, '01-sign-in');
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'New import', level: 1 }).waitFor();
    expect(await page.locator('header .workspace').textContent()).toBe('Acme');

    await page.getByRole('radio', { name: 'positions', exact: true }).check();
    await screenshot(page, '02-choose-file');

    // The file check happens at once: a dry run of the upload.
    await page.locator('input[type=file]').setInputFiles(POSITIONS);
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();
    const check = page.locator('.file-check');
    expect(await check.textContent()).toContain('Column "position_name " was read as "position_name".');
    expect(await check.textContent()).toContain('header_normalized');
    expect(await count(page, 'Will be updated')).toBe('2');
    expect(await count(page, 'Unchanged')).toBe('1');
    expect(await count(page, 'Unmatched')).toBe('1');
    const rows = page.locator('table.rows tbody tr');
    await rows.nth(3).waitFor();
    expect(await rows.locator('td:first-child').allTextContents()).toEqual(['2', '3', '4', '5']);
    expect(await rows.nth(0).locator('.changes li').innerText()).toMatch(
      /^position_name\s+\(empty\)\s+→\s+becomes\s+Account Manager$/,
    );
    expect(await rows.nth(2).textContent()).toContain('person_not_found');
    await scrollToTop(page.getByRole('heading', { name: 'File check' }));
    await screenshot(page, '03-preview');

    // Filtered by outcome: only the row that matches no person.
    await page.getByRole('radio', { name: /^unmatched/ }).check();
    await page.waitForFunction(() => document.querySelectorAll('table.rows tbody tr').length === 1);
    expect(await rows.locator('td:first-child').allTextContents()).toEqual(['4']);
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBeNull();

    await page.getByRole('button', { name: 'Apply to Acme' }).click();
    await page.getByRole('heading', { name: 'Result' }).waitFor();
    expect(await count(page, 'Updated')).toBe('2');
    expect(await count(page, 'Unchanged')).toBe('1');
    expect(await count(page, 'Unmatched')).toBe('1');
    expect(await count(page, 'Invalid')).toBe('0');
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBe('Account Manager');
    await screenshot(page, '04-report');

    const unmatched = page.getByRole('table', { name: /Unmatched rows/ });
    expect(await unmatched.locator('tbody tr').count()).toBe(1);
    const problem = await unmatched.locator('tbody tr').textContent();
    expect(problem).toContain('CUST003');
    expect(problem).toContain('bob.wilson@example.com');
    expect(problem).toContain('person_not_found');
    await scrollToTop(page.getByRole('heading', { name: '1 row to fix' }));
    await screenshot(page, '05-errors');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the errors CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('positions-errors.csv');
    const csv = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csv[0]).toBe('customer_ref,email_address,position_name,_line,_error');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toMatch(
      /^CUST003,bob\.wilson@example\.com,,4,"""bob\.wilson@example\.com"" is not a person of/,
    );

    await page.getByRole('button', { name: 'Undo this import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Undo the import of positions.csv?' });
    await dialog.getByText('position_name back to (empty) (now Account Manager)').waitFor();
    expect(await dialog.textContent()).toContain(
      '2 updated records go back to their values from before the import',
    );
    await screenshot(page, '06-undo-confirm');
    await dialog.getByRole('button', { name: 'Undo the import' }).click();
    await page.getByRole('heading', { name: 'Undo report' }).waitFor();
    expect(await page.locator('.undo-report').textContent()).toContain(
      '2 records restored, 0 records removed.',
    );
    expect(await page.locator('.undo-report').textContent()).toContain('No conflicts');
    expect(await positionOf(t.conn.db, 'CUST001', 'john.doe@example.com')).toBeNull();
    await scrollToTop(page.getByRole('heading', { name: 'Undo report' }));
    await screenshot(page, '07-undo-report');

    await page.getByRole('navigation').getByRole('link', { name: 'History' }).click();
    const history = page.getByRole('table', { name: 'Imports, newest first' });
    await history.waitFor();
    expect(await history.locator('tbody tr').count()).toBe(1);
    const entry = await history.locator('tbody tr').textContent();
    for (const text of [
      'positions.csv',
      'positions',
      USER.email,
      '4 rows: 2 updated, 1 unchanged, 1 unmatched',
      'undone',
    ]) {
      expect(entry).toContain(text);
    }
    await page.getByLabel('Show dry runs too').check();
    await history.locator('tbody tr').nth(1).waitFor();
    expect(await history.locator('tbody tr').nth(1).textContent()).toContain('dry run');
    await screenshot(page, '08-history');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.context().close();
  });

  // Generous limits: a loaded machine (CI beside other jobs) may take minutes; speed is measured in bench/.
  it('shows live progress while a large import is applied, then its counts', async () => {
    // 20 batches of the default 1,000 rows: seconds of applying, long enough for the page to poll it.
    const rows = 20_000;
    const page = await openPage();
    await signIn(page);
    await page.getByRole('radio', { name: 'contacts', exact: true }).check();
    await page
      .locator('input[type=file]')
      .setInputFiles(writeCsv(newContactsCsv(rows, 'big.example'), 'big.csv'));
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor({ timeout: 240_000 });
    expect(await count(page, 'Will be created')).toBe('20,000');

    await page.getByRole('button', { name: 'Apply to Acme' }).click();
    // The run page shows progress from its first poll (the run was just queued)…
    await page
      .getByRole('status')
      .filter({ hasText: /^Importing: / })
      .waitFor();
    // …and a bar of rows done of total once batches apply; caught when the poll lands in that phase.
    const bar = page.locator('progress[aria-label="Rows done"]');
    await bar.waitFor({ timeout: 15_000 }).catch(() => undefined);
    await screenshot(page, '11-progress');
    await page.getByRole('heading', { name: 'Result' }).waitFor({ timeout: 240_000 });
    expect(await count(page, 'Created')).toBe('20,000');
    const created = await t.conn.db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('email_ci', 'like', '%@big.example')
      .executeTakeFirstOrThrow();
    expect(Number(created.n)).toBe(rows);
    await page.context().close();
  }, 300_000);

  it('shows a rejected file with its fix, and reads it once the fix is chosen', async () => {
    const page = await openPage();
    await signIn(page);
    await page.getByRole('radio', { name: 'positions', exact: true }).check();
    const semicolons = writeCsv(
      'customer_ref;email_address;position_name\nCUST001;john.doe@example.com;CEO\n',
      'semi.csv',
    );
    await page.locator('input[type=file]').setInputFiles(semicolons);
    const alert = page.getByRole('alert').filter({ hasText: 'The file was rejected at line 1' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('wrong_delimiter');
    await alert.getByRole('button', { name: 'Read it as separated by ";"' }).click();
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();
    expect(await count(page, 'Will be updated')).toBe('1');
    expect(await page.locator('.options summary').textContent()).toBe('Options (1 changed)');
    await page.context().close();
  });

  it('fits a 390 px phone screen, signed in with the keyboard alone', async () => {
    const page = await openPage({ width: 390, height: 844 });
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await sidewaysOverflow(page)).toEqual([]);
    await page.keyboard.press('Tab');
    await page.keyboard.type(USER.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(USER.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New import', level: 1 }).waitFor();

    await page.getByRole('radio', { name: 'positions', exact: true }).check();
    await page.locator('input[type=file]').setInputFiles(POSITIONS);
    await page.getByRole('heading', { name: 'What will happen', exact: true }).waitFor();
    await page.locator('table.rows tbody tr').nth(3).waitFor();
    expect(await sidewaysOverflow(page)).toEqual([]);
    await scrollToTop(page.getByRole('heading', { name: 'File check' }));
    await screenshot(page, '09-phone-preview');

    await page.getByRole('navigation').getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'Imports', level: 1 }).waitFor();
    await page.getByLabel('Show dry runs too').check();
    await page.getByRole('table', { name: 'Imports, newest first' }).waitFor();
    expect(await sidewaysOverflow(page)).toEqual([]);
    await screenshot(page, '10-phone-history');
    await page.getByRole('table').getByRole('link').first().click();
    await page.getByRole('heading', { name: /What would happen/ }).waitFor();
    expect(await sidewaysOverflow(page)).toEqual([]);
    await page.context().close();
  });
});
