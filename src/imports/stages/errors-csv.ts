import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Db } from '../../db/dialect.js';
import type { ImportRun } from '../run-repository.js';
import { neutralise } from '../../exports/formula-cells.js';

const PAGE = 1000;
const SECRET = new Set(['password', 'password_hash']);

/**
 * Writes every unmatched and invalid row with its original columns plus `_line` and `_error`, so the
 * file can be fixed and imported again as it is. Streams page by page; memory does not grow with the run.
 */
export async function writeErrorsCsv(db: Db, run: ImportRun, out: Writable): Promise<void> {
  // An errors CSV imported again has _line and _error already: they are replaced, not repeated.
  // Columns are written under the kind's names (a mapped run's errors CSV imports again without --map);
  // columns the run left out are not in it.
  const { header } = run;
  const kept = header
    .map((_, i) => i)
    .filter((i) => header[i] !== null && header[i] !== '_line' && header[i] !== '_error');
  const columns = kept.map((i) => header[i]!);
  const csv = stringify({ header: true, columns: [...columns, '_line', '_error'], record_delimiter: '\n' });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    csv.on('error', reject);
  });
  csv.pipe(out);
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('import_rows')
      .select(['row_no', 'line', 'cells', 'message', 'hint'])
      .where('run_id', '=', run.id)
      .where('status', 'in', ['unmatched', 'invalid'])
      .where('row_no', '>', after)
      .orderBy('row_no')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const cells = JSON.parse(row.cells) as string[];
      // Staged cells hold no secrets (see stage-secrets.ts); blanking them here again costs nothing.
      const fitted = kept.map((i) => (SECRET.has(header[i]!) ? '' : neutralise(cells[i] ?? '')));
      const past = cells.slice(header.length);
      const extra = past.some((c) => c.trim() !== '') ? ` Extra fields: ${past.join(' | ')}` : '';
      const error = [row.message, row.hint].filter(Boolean).join(' ') + extra;
      if (!csv.write([...fitted, String(row.line), neutralise(error)])) {
        await new Promise((resolve) => csv.once('drain', resolve));
      }
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.row_no;
  }
  csv.end();
  await done;
}
