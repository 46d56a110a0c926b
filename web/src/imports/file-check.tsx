import type { ImportOptions, Rejection, Report } from '../api/types';
import { formatBytes, hintForUi, plural } from '../ui/format';

const DELIMITERS: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };
const SHOWN_WARNINGS = 20;

/** The first stage's verdict on the file: how it was read, header warnings, or the rejection and its fix. */
export function FileCheck({ report, onFix }: { report: Report; onFix?: (patch: ImportOptions) => void }) {
  const { file, rejection, warnings } = report;
  const delimiter = report.options.delimiter ?? ',';
  const fix = rejection && onFix ? fixFor(rejection) : null;
  const more = warnings.length - SHOWN_WARNINGS + (report.truncated?.warnings ?? 0);
  return (
    <section className="file-check" aria-labelledby="file-check-title">
      <h2 id="file-check-title">File check</h2>
      <ul className="facts">
        <li>
          <span className="fact-name">File</span> {file.name} ({formatBytes(file.bytes)})
        </li>
        {file.format === 'xlsx' ? (
          <li>
            <span className="fact-name">Format</span> Excel workbook, sheet {file.sheet}
          </li>
        ) : (
          <>
            <li>
              <span className="fact-name">Encoding</span> {file.encoding.toUpperCase()}
              {file.bom ? ', with a byte order mark' : ''}
            </li>
            <li>
              <span className="fact-name">Delimiter</span> {DELIMITERS[delimiter] ?? `"${delimiter}"`}
            </li>
          </>
        )}
        {report.mapping && Object.keys(report.mapping.columns).length > 0 ? (
          <li>
            <span className="fact-name">Read under another name</span>{' '}
            {Object.entries(report.mapping.columns)
              .map(([source, column]) => `"${source}" → ${column}`)
              .join(', ')}
          </li>
        ) : null}
        {report.mapping && report.mapping.leftOut.length > 0 ? (
          <li>
            <span className="fact-name">Left out</span> {plural(report.mapping.leftOut.length, 'column')}
          </li>
        ) : null}
      </ul>
      {rejection ? (
        <div className="notice error" role="alert">
          <p>
            <strong>The file was rejected{rejection.line ? ` at line ${rejection.line}` : ''}: </strong>
            {rejection.message} <code>{rejection.reason}</code>
          </p>
          {rejection.hint ? <p className="hint">How to fix it: {hintForUi(rejection.hint)}</p> : null}
          {fix ? (
            <p>
              <button type="button" onClick={() => onFix?.(fix.options)}>
                {fix.label}
              </button>
            </p>
          ) : null}
          <p>Nothing was changed.</p>
        </div>
      ) : (
        <p className="ok">
          The header has the columns this import needs
          {warnings.length === 0 ? ', and nothing needed a second look.' : '.'}
        </p>
      )}
      {warnings.length > 0 ? (
        <div className="notice warning">
          <h3>{plural(warnings.length + (report.truncated?.warnings ?? 0), 'warning')}</h3>
          <ul>
            {warnings.slice(0, SHOWN_WARNINGS).map((w, i) => (
              <li key={i}>
                Line {w.line}: {w.message} <code>{w.reason}</code>
              </li>
            ))}
          </ul>
          {more > 0 ? <p>…and {plural(more, 'more warning')}.</p> : null}
        </div>
      ) : null}
    </section>
  );
}

/** The option that reads a rejected file as it was meant, when the rejection says what that is. */
function fixFor(rejection: Rejection): { label: string; options: ImportOptions } | null {
  switch (rejection.reason) {
    case 'wrong_delimiter':
      return rejection.message.includes('tab')
        ? { label: 'Read it as tab-separated', options: { delimiter: '\t' } }
        : { label: 'Read it as separated by ";"', options: { delimiter: ';' } };
    case 'unknown_column':
      return { label: 'Leave the other columns out', options: { ignoreUnknown: true } };
    case 'invalid_utf8':
      return { label: 'Read it as Windows-1252 (older Excel)', options: { encoding: 'windows-1252' } };
    default:
      return null;
  }
}
