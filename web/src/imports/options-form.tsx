import type { ImportOptions, Kind } from '../api/types';

const DEFAULTS: Required<ImportOptions> = {
  customerKey: 'ref',
  ignoreCase: false,
  labels: 'add',
  blank: 'keep',
  encoding: 'utf-8',
  delimiter: ',',
};

/** The options with every default left out: what the upload sends, and what counts as changed. */
export function withoutDefaults(options: ImportOptions): ImportOptions {
  return Object.fromEntries(
    Object.entries(options).filter(
      ([name, value]) => value !== undefined && value !== DEFAULTS[name as keyof ImportOptions],
    ),
  );
}

/** The import options that matter for the chosen kind, folded away: the defaults suit most files. */
export function OptionsForm({
  kind,
  options,
  onChange,
}: {
  kind: Kind | undefined;
  options: ImportOptions;
  onChange: (options: ImportOptions) => void;
}) {
  const columns = new Set(kind?.columns.map((c) => c.name));
  const namesCustomers = columns.has('customer_ref') || columns.has('company_id');
  const hasReferences = namesCustomers || columns.has('labels');
  const set = (patch: ImportOptions) => onChange(withoutDefaults({ ...options, ...patch }));
  const changed = Object.keys(withoutDefaults(options)).length;
  return (
    <details className="options">
      <summary>Options{changed > 0 ? ` (${changed} changed)` : ''}</summary>
      <div className="option-grid">
        {namesCustomers ? (
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
        {hasReferences ? (
          <label className="check">
            <input
              type="checkbox"
              checked={options.ignoreCase ?? DEFAULTS.ignoreCase}
              onChange={(e) => set({ ignoreCase: e.target.checked })}
            />
            Accept references that differ only in case
          </label>
        ) : null}
        {columns.has('labels') ? (
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
          </select>
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
