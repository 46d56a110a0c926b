import { quoted } from '../domain/text.js';
import type { ImportReport, RowEntry } from '../imports/types.js';

const SHOWN = 20;

/** The exit status of a finished import (SPEC section 5): 0 all applied, 3 rows left over, 2 rejected. */
export function exitStatusOf(report: ImportReport): number {
  if (report.status === 'rejected') return 2;
  if (report.status === 'failed') return 1;
  return report.counts.unmatched + report.counts.invalid > 0 ? 3 : 0;
}

function entryLine(e: RowEntry, keys: readonly string[]): string {
  const values = keys.map((k) => e[k]).filter((v) => v !== undefined && v !== '');
  const where = e.column ? ` [${e.column}]` : '';
  const hint = e.hint ? `\n      ${e.hint}` : '';
  return `    line ${e.line}${where}  ${values.join('  ')}  ${e.reason}: ${e.message}${hint}`;
}

/** The human summary the CLI prints at the end of an import. */
export function formatSummary(report: ImportReport, keys: readonly string[]): string {
  const out: string[] = [];
  const dry = report.dryRun ? ' (dry run: nothing was changed)' : '';
  out.push(`${report.file.name} → ${report.kind} in ${report.workspace}${dry}`);
  if (report.rejection) {
    const r = report.rejection;
    const at = [
      r.line !== undefined ? `line ${r.line}` : '',
      r.byteOffset !== undefined ? `byte ${r.byteOffset}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    out.push(`  Rejected (${r.reason}${at ? `, ${at}` : ''}): ${r.message}`);
    out.push(`  Fix: ${r.hint}`);
    out.push('  Nothing was changed.');
    return out.join('\n');
  }
  const c = report.counts;
  out.push(
    `  ${c.rowsProcessed} ${c.rowsProcessed === 1 ? 'row' : 'rows'}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ` +
      `${c.unmatched} unmatched, ${c.invalid} invalid, ${c.duplicates} duplicates`,
  );
  out.push(...mappingLines(report));
  for (const w of report.warnings.slice(0, SHOWN))
    out.push(`  warning line ${w.line} (${w.reason}): ${w.message}`);
  for (const [title, list, total] of [
    ['unmatched', report.unmatched, c.unmatched],
    ['invalid', report.invalid, c.invalid],
  ] as const) {
    if (list.length === 0) continue;
    out.push(`  ${title}:`);
    for (const e of list.slice(0, SHOWN)) out.push(entryLine(e, keys));
    if (total > SHOWN) out.push(`    … and ${total - SHOWN} more (write them all with --errors FILE.csv)`);
  }
  if (report.error) out.push(`  Failed: ${report.error}`);
  out.push(`  Run ${report.id} (${report.status})`);
  return out.join('\n');
}

/** What a run read under another name and what it left out (the report's `mapping`), a line each. */
function mappingLines(report: ImportReport): string[] {
  if (!report.mapping) return [];
  const listed = (names: string[]) =>
    names.slice(0, SHOWN).join(', ') + (names.length > SHOWN ? `, … and ${names.length - SHOWN} more` : '');
  const read = Object.entries(report.mapping.columns).map(
    ([source, column]) => `${quoted(source)} → ${column}`,
  );
  const left = report.mapping.leftOut.map((name) => quoted(name));
  return [
    ...(read.length > 0 ? [`  read as: ${listed(read)}`] : []),
    ...(left.length > 0
      ? [`  left out: ${left.length === 1 ? '1 column' : `${left.length} columns`}: ${listed(left)}`]
      : []),
  ];
}
