import type { ImportOptions, Kind, OptionDefaults } from '../api/types';

/** What the controls show for an option left out: the server's defaults, and how a file is read by default. */
function shownDefaults(defaults: OptionDefaults): Required<Omit<ImportOptions, 'mapping' | 'mappingName'>> {
  return { ...defaults, encoding: 'utf-8', delimiter: ',', ignoreUnknown: false, headerLine: 1, sheet: '' };
}

/** The options with every default left out: what the upload sends, and what counts as changed. */
export function withoutDefaults(options: ImportOptions, defaults: OptionDefaults): ImportOptions {
  const shown = shownDefaults(defaults);
  return Object.fromEntries(
    Object.entries(options).filter(
      ([name, value]) => value !== undefined && value !== shown[name as keyof typeof shown],
    ),
  );
}

/** The import options that matter for the chosen kind, folded away: the defaults suit most files. */
export function OptionsForm({
  kind,
  defaults,
  options,
  onChange,
}: {
  kind: Kind | undefined;
  defaults: OptionDefaults;
  options: ImportOptions;
  onChange: (options: ImportOptions) => void;
}) {
  // Each kind declares the options that change what it does (GET /api/kinds).
  const takes = new Set(kind?.options);
  const DEFAULTS = shownDefaults(defaults);
  const set = (patch: ImportOptions) => onChange(withoutDefaults({ ...options, ...patch }, defaults));
  const changed = Object.keys(withoutDefaults(options, defaults)).length;
  return (
    <details className="options">
      <summary>Options{changed > 0 ? ` (${changed} changed)` : ''}</summary>
      <div className="option-grid">
        {takes.has('customerKey') ? (
          <label>
            Customers are named by
            <select
              value={options.customerKey ?? DEFAULTS.customerKey}
              onChange={(e) => set({ customerKey: e.target.value as ImportOptions['customerKey'] })}
            >
              <option value="ref">ref</option>
              <option value="erp_id">ERP id</option>
              <option value="name">name</option>
            </select>
          </label>
        ) : null}
        {takes.has('ignoreCase') ? (
          <label className="check">
            <input
              type="checkbox"
              checked={options.ignoreCase ?? DEFAULTS.ignoreCase}
              onChange={(e) => set({ ignoreCase: e.target.checked })}
            />
            Accept references that differ only in case
          </label>
        ) : null}
        {takes.has('labels') ? (
          <label>
            Labels of a row
            <select
              value={options.labels ?? DEFAULTS.labels}
              onChange={(e) => set({ labels: e.target.value as ImportOptions['labels'] })}
            >
              <option value="add">are added to the contact's</option>
              <option value="replace">replace the contact's</option>
            </select>
          </label>
        ) : null}
        {takes.has('blank') ? (
          <label>
            A blank cell
            <select
              value={options.blank ?? DEFAULTS.blank}
              onChange={(e) => set({ blank: e.target.value as ImportOptions['blank'] })}
            >
              <option value="keep">keeps the value</option>
              <option value="clear">clears an optional field</option>
            </select>
          </label>
        ) : null}
        <label>
          Encoding
          <select
            value={options.encoding ?? DEFAULTS.encoding}
            onChange={(e) => set({ encoding: e.target.value as ImportOptions['encoding'] })}
          >
            <option value="utf-8">UTF-8</option>
            <option value="windows-1252">Windows-1252 (older Excel)</option>
            <option value="latin1">Latin-1 (ISO-8859-1)</option>
            <option value="utf-16">UTF-16</option>
            <option value="iso-8859-15">Latin-9 (ISO-8859-15)</option>
            <option value="shift_jis">Shift-JIS (Japanese)</option>
            <option value="gb18030">GB18030 (Chinese)</option>
            <option value="big5">Big5 (Traditional Chinese)</option>
            <option value="euc-kr">EUC-KR (Korean)</option>
            <option value="koi8-r">KOI8-R (Russian)</option>
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={options.ignoreUnknown ?? DEFAULTS.ignoreUnknown}
            onChange={(e) => set({ ignoreUnknown: e.target.checked })}
          />
          Leave out columns that are not of this import
        </label>
        <label>
          The header row is on line
          <input
            type="number"
            min={1}
            inputMode="numeric"
            value={options.headerLine ?? DEFAULTS.headerLine}
            onChange={(e) => set({ headerLine: Math.max(1, Number(e.target.value) || 1) })}
          />
        </label>
        <label>
          Sheet of an Excel workbook
          <input
            type="text"
            placeholder="the first"
            value={options.sheet ?? DEFAULTS.sheet}
            onChange={(e) => set({ sheet: e.target.value })}
          />
        </label>
        <label>
          Delimiter
          <select
            value={options.delimiter ?? DEFAULTS.delimiter}
            onChange={(e) => set({ delimiter: e.target.value })}
          >
            <option value=",">comma</option>
            <option value=";">semicolon</option>
            <option value={'\t'}>tab</option>
          </select>
        </label>
      </div>
    </details>
  );
}
