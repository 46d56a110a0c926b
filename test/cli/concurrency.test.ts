import { describe, expect, it } from 'vitest';
import { roster } from '../support/cli.js';
import { writeCsv } from '../support/factories.js';
import { type TestDatabase } from '../support/test-db.js';
import { useWorldPerFile } from '../support/world.js';

function contactsFile(prefix: string, rows: number): string {
  const lines = ['email,first_name,last_name,company_id'];
  for (let i = 0; i < rows; i++) lines.push(`${prefix}${i}@example.com,F${i},L${i},CUST00${(i % 4) + 1}`);
  return writeCsv(`${lines.join('\n')}\n`);
}

describe('two processes writing to one database', () => {
  let t: TestDatabase;
  useWorldPerFile(['acme'], (db) => {
    t = db;
  });

  it('lets two CLI imports write at the same time, each applied whole', async () => {
    const rows = 4000;
    const [a, b] = await Promise.all(
      ['a', 'b'].map((p) =>
        roster(['import', 'contacts', contactsFile(p, rows), '-w', 'acme', '--batch-size', '100'], t.env),
      ),
    );
    expect(a!.stderr).toBe('');
    expect(b!.stderr).toBe('');
    expect([a!.status, b!.status]).toEqual([0, 0]);
    expect(a!.stdout).toContain(`${rows} rows: ${rows} created`);
    expect(b!.stdout).toContain(`${rows} rows: ${rows} created`);
    const { n } = await t.conn.db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('email', 'like', '%@example.com')
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(2 * rows + 4);
    const links = await t.conn.db
      .selectFrom('customer_contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(links.n)).toBe(2 * rows + 4);
  });
});
