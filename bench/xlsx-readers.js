// Compares .xlsx readers on one sheet of N rows (default 100,000): Roster's reader (the zip's central
// directory read with yauzl, each part parsed by exceljs's streaming parsers; `npm run build` first), exceljs's
// own streaming WorkbookReader, and SheetJS as published on npm (`xlsx` 0.18.5, the last version there, and `@e965/xlsx`,
// a mirror of SheetJS 0.20.3). Each reader runs in its own child process; peak RSS is that child's maxRSS.
// The SheetJS packages are not dependencies: `npm install --no-save xlsx@0.18.5 @e965/xlsx@0.20.3` first.
//   node bench/xlsx-readers.js [rows] [runs]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import ExcelJS from 'exceljs';
import { median } from './support.js';

const self = fileURLToPath(import.meta.url);

async function generate(file, rows) {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useSharedStrings: true,
    useStyles: true,
  });
  const ws = wb.addWorksheet('Contacts');
  ws.addRow(['email', 'first_name', 'last_name', 'phone', 'joined', 'score']).commit();
  for (let i = 1; i <= rows; i++) {
    const row = ws.addRow([
      `person${i}@example.com`,
      `First${i % 97}`,
      `Last${i % 89}`,
      4420794600000 + i,
      new Date(Date.UTC(2020, 0, 1 + (i % 1000))),
      i / 7,
    ]);
    row.getCell(5).numFmt = 'yyyy-mm-dd';
    row.commit();
  }
  ws.commit();
  await wb.commit();
}

async function readWith(reader, file) {
  const started = performance.now();
  let rows = 0;
  let cells = 0;
  if (reader === 'roster') {
    const { readXlsx } = await import('../dist/imports/stages/read-xlsx.js');
    for await (const record of readXlsx(file).records) {
      rows++;
      cells += record.cells.filter((c) => c !== '').length;
    }
  } else if (reader === 'exceljs') {
    const wb = new ExcelJS.stream.xlsx.WorkbookReader(file, {
      sharedStrings: 'cache',
      styles: 'cache',
      worksheets: 'emit',
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    for await (const ws of wb) {
      for await (const row of ws) {
        rows++;
        cells += row.cellCount;
      }
      break;
    }
  } else {
    const XLSX = (await import(reader)).default ?? (await import(reader));
    const wb = XLSX.read(fs.readFileSync(file), { dense: true, cellDates: true });
    const sheet = wb.Sheets[wb.SheetNames[0]];
    for (const row of XLSX.utils.sheet_to_json(sheet, { header: 1, raw: true })) {
      rows++;
      cells += row.length;
    }
  }
  const ms = performance.now() - started;
  return { ms, rows, cells, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
}

if (process.argv[2] === '--child') {
  const result = await readWith(process.argv[3], process.argv[4]);
  process.stdout.write(JSON.stringify(result));
} else {
  const rows = Number(process.argv[2] ?? 100_000);
  const runs = Number(process.argv[3] ?? 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-xlsx-'));
  const file = path.join(dir, 'contacts.xlsx');
  await generate(file, rows);
  console.log(
    `${rows} rows, ${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MiB .xlsx, median of ${runs} runs`,
  );
  for (const reader of ['roster', 'exceljs', 'xlsx', '@e965/xlsx']) {
    const results = [];
    try {
      for (let i = 0; i < runs; i++) {
        const out = execFileSync(process.execPath, [self, '--child', reader, file], { encoding: 'utf8' });
        results.push(JSON.parse(out));
      }
    } catch (err) {
      console.log(`${reader}: not run (${String(err.message).split('\n')[0]})`);
      continue;
    }
    const mid = (k) => median(results.map((r) => r[k]));
    console.log(
      `${reader.padEnd(12)} ${mid('ms').toFixed(0).padStart(6)} ms  peak RSS ${mid('maxRssMiB').toFixed(0).padStart(5)} MiB  rows ${results[0].rows}`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
