import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/dialect.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { exportCsv, type ExportKind } from '../../src/exports/export-csv.js';
import { exitStatusOf } from '../../src/cli/summary.js';
import type { ImportReport, KindName } from '../../src/imports/types.js';
import { expectCountsAddUp } from '../support/assertions.js';
import { RECORD_TABLES, snapshotData } from '../support/data-state.js';
import { buildWorld, importCsv } from '../support/factories.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

/**
 * `npm run fuzz` sets ROSTER_FUZZ_RUNS (100,000); `npm test` runs a few hundred. The seed is fixed, so a
 * failure is reproducible: fast-check prints the seed and the path of the smallest failing file.
 */
const RUNS = Number(process.env.ROSTER_FUZZ_RUNS ?? 200);
const SEED = Number(process.env.ROSTER_FUZZ_SEED ?? 20261201);

const LOOK_ALIKE_EMAILS = [
  'john.doe@example.com',
  'JOHN.DOE@example.com',
  'john.doe@exаmple.com', // Cyrillic а
  'josé@example.com',
  'jose\u0301@example.com',
  'ΟΔΟΣ@example.gr',
  'οδοσ@example.gr',
  'οδος@example.gr',
  'user\u200b@example.com',
  'us\u202eer@example.com',
  'STRASSE@example.de',
  'straße@example.de',
];
const SPECIAL_CELLS = [
  '',
  ' ',
  '"',
  '""',
  '=1+2',
  "'=1+2",
  "''=1+2",
  '+1',
  '-5',
  '@SUM(A1)',
  '\0',
  'A\0B',
  '\uFEFF',
  'a,b',
  'a\nb',
  'a\r\nb',
  '\t',
  'CUST001',
  'cust001',
  'E-1',
  'E-2',
  'CEO',
  'Account Manager',
  'new',
  'yes',
  'no',
  'x'.repeat(70_000),
];

const cell = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_CELLS) },
  { weight: 3, arbitrary: fc.constantFrom(...LOOK_ALIKE_EMAILS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
);
/** Each kind's columns, and cells that fit them (so that most files get past the header and many rows apply). */
const KIND_COLUMNS: Record<string, Record<string, readonly string[]>> = {
  customers: {
    ref: ['CUST001', 'cust001', 'CUST002', 'N1', 'N2', 'n1'],
    name: ['Globex', 'New Co'],
    erp_id: ['E-1', 'E-2', 'E-9', 'e-9'],
  },
  contacts: {
    email: LOOK_ALIKE_EMAILS,
    first_name: ['Ann', 'José'],
    last_name: ['Lee'],
    labels: ['vip', 'VIP; new'],
  },
  positions: {
    customer_ref: ['CUST001', 'CUST002', 'CUST004', 'NOPE'],
    email_address: LOOK_ALIKE_EMAILS,
    position_name: ['CEO', 'ceo', 'Account Manager', 'Nope'],
  },
  persons: {
    customer_ref: ['CUST001', 'CUST002', 'CUST004', 'NOPE'],
    email_address: LOOK_ALIKE_EMAILS,
    position_name: ['CEO', 'Finance Director', ''],
    primary: ['yes', 'no', 'maybe', ''],
  },
};
/** How many of a kind's columns (the first ones) are required. */
const REQUIRED = { customers: 1, contacts: 1, positions: 3, persons: 2 } as const;
const ODD_HEADERS = [
  'Email',
  ' email ',
  'E-mail',
  '_note',
  'x',
  '',
  'ref',
  'REF',
  'name\0',
  '\uFEFFref',
  'h'.repeat(3000),
];

/** A CSV text for a kind, sometimes damaged: cut at a random point, or with a stray quote. */
const csvText = (kind: keyof typeof REQUIRED) => {
  const columns = KIND_COLUMNS[kind]!;
  const names = Object.keys(columns);
  const header = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.subarray(names.slice(REQUIRED[kind])).chain((extra) =>
        fc.shuffledSubarray([...names.slice(0, REQUIRED[kind]), ...extra], {
          minLength: REQUIRED[kind] + extra.length,
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.array(fc.constantFrom(...names, ...ODD_HEADERS), { minLength: 1, maxLength: 5 }),
    },
  );
  const cellFor = (column: string) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...(columns[column] ?? SPECIAL_CELLS)) },
      { weight: 2, arbitrary: cell },
    );
  return fc
    .record({
      header,
      lineEnd,
      bom: fc.boolean(),
      quoteAll: fc.boolean(),
      damage: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
    })
    .chain(({ header, ...rest }) =>
      fc
        .array(
          fc.oneof(
            { weight: 6, arbitrary: fc.tuple(...header.map(cellFor)) },
            { weight: 1, arbitrary: fc.array(cell, { maxLength: 5 }) },
          ),
          { maxLength: 8 },
        )
        .map((rows) => ({ header, rows: rows as string[][], ...rest })),
    )
    .map(({ header, rows, lineEnd, bom, quoteAll, damage }) => {
      const quote = (c: string) =>
        quoteAll || /[",\r\n]/.test(c) || c !== c.trim() ? `"${c.replaceAll('"', '""')}"` : c;
      let text = [header, ...rows].map((r) => r.map(quote).join(',')).join(lineEnd) + lineEnd;
      if (damage !== null) text = text.slice(0, damage % (text.length + 1)) + (damage % 2 ? '"' : '');
      return (bom ? '\uFEFF' : '') + text;
    });
};
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
/** Bytes: a CSV text in UTF-8, the same with broken UTF-8 spliced in, or random bytes. */
const fileBytes = (kind: keyof typeof REQUIRED) =>
  fc.oneof(
    { weight: 8, arbitrary: csvText(kind).map((t) => Buffer.from(t)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(csvText(kind), fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.nat())
        .map(([t, bad, at]) => {
          const b = Buffer.from(t);
          const i = at % (b.length + 1);
          return Buffer.concat([b.subarray(0, i), Buffer.from([0xc3, ...bad]), b.subarray(i)]);
        }),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
  );
const KINDS = ['customers', 'contacts', 'positions', 'persons'] as const;
const EXPORTED: Partial<Record<KindName, ExportKind>> = {
  customers: 'customers',
  contacts: 'contacts',
  persons: 'persons',
};

/** The records of the database, without the run log (runs are recorded, dry or not). */
const records = (db: Db) => snapshotData(db, RECORD_TABLES);

describe('the import engine under random files', () => {
  let t: TestDatabase;
  let ws: Workspace;
  let cases = 0;
  /** A fresh database with the sample world: every 100 cases, so that 100,000 do not slow down as data grows. */
  const fresh = async () => {
    await t?.cleanup();
    t = await createTestDatabase();
    ws = await buildWorld(t.conn.db);
  };
  beforeAll(fresh);
  afterAll(() => t?.cleanup());

  const exported = async (kind: ExportKind) => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    await exportCsv(t.conn.db, ws.id, kind, out);
    return Buffer.concat(chunks);
  };

  /** A run's outcome as the CLI would exit: never a thrown error, never a failed run. */
  const run = async (kind: KindName, csv: Buffer, dryRun: boolean): Promise<ImportReport> => {
    const report = await importCsv(t.conn.db, ws, kind, csv, { dryRun });
    expect(report.error).toBeUndefined();
    expect(['completed', 'rejected']).toContain(report.status);
    expect([0, 2, 3]).toContain(exitStatusOf(report));
    if (report.status === 'completed') expectCountsAddUp(report);
    return report;
  };

  it(
    'keeps its invariants: counts add up, a rejection or dry run changes nothing, dry = real, rerun and export → import change nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...KINDS).chain((kind) => fc.tuple(fc.constant(kind), fileBytes(kind))),
          async ([kind, csv]) => {
            if (++cases % 100 === 0) await fresh();
            const db = t.conn.db;
            const before = await records(db);
            const dry = await run(kind, csv, true);
            expect(await records(db)).toBe(before);
            const real = await run(kind, csv, false);
            expect(real.status).toBe(dry.status);
            if (real.status === 'rejected') {
              expect(real.rejection?.reason).toBe(dry.rejection?.reason);
              expect(await records(db)).toBe(before);
              return;
            }
            expect(real.counts).toEqual(dry.counts);
            const after = await records(db);
            const again = await run(kind, csv, false);
            expect(again.counts).toMatchObject({ created: 0, updated: 0 });
            expect(await records(db)).toBe(after);
            const exportKind = EXPORTED[kind];
            if (exportKind) {
              const file = await exported(exportKind);
              const back = await run(kind, file, false);
              expect(back.status).toBe('completed');
              expect(back.counts).toMatchObject({ created: 0, updated: 0, invalid: 0, unmatched: 0 });
              expect(await records(db)).toBe(after);
              expect(await exported(exportKind)).toEqual(file);
            }
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
    Math.max(600_000, RUNS * 1_000),
  );
});
