import { useEffect, useRef, useState } from 'react';
import { ApiError, errorOf } from '../api/client';
import { listKinds, proposeMapping, startImport } from '../api/roster';
import {
  isFinished,
  type ColumnMapping,
  type ImportOptions,
  type Kind,
  type MappingProposal,
  type OptionDefaults,
  type Session,
} from '../api/types';
import { ApplyPanel } from '../imports/apply-panel';
import { CountsList } from '../imports/counts';
import { FileCheck } from '../imports/file-check';
import { FileDrop } from '../imports/file-drop';
import { KindPicker } from '../imports/kind-picker';
import { MappingStep, proposedMapping } from '../imports/mapping-step';
import { OptionsForm, withoutDefaults } from '../imports/options-form';
import { RowEffects } from '../imports/row-effects';
import { RunProgress } from '../imports/run-progress';
import { useRun } from '../imports/use-run';
import { ErrorMessage } from '../ui/error-message';
import { formatNumber } from '../ui/format';
import { PageTitle } from '../ui/page-title';
import { can } from '../data/roles';

interface Check {
  /** Which check this is: answers for an earlier one are dropped. */
  seq: number;
  sent: number;
  runId?: string;
  error?: ApiError;
}

/**
 * A new import: kind, options, file. The file is checked at once by a dry run, whose report is the file
 * check and the row-by-row preview; Apply then turns that dry run into the real run.
 */
export function NewImportPage({ session }: { session: Session }) {
  const [kinds, setKinds] = useState<{ items: Kind[]; defaults: OptionDefaults } | null>(null);
  const [kindsError, setKindsError] = useState<ApiError | null>(null);
  const [kind, setKind] = useState<string | null>(null);
  const [options, setOptions] = useState<ImportOptions>({});
  const [file, setFile] = useState<File | null>(null);
  const [kindsFolded, setKindsFolded] = useState(false);
  const [check, setCheck] = useState<Check | null>(null);
  const seq = useRef(0);
  const { run, error: runError } = useRun(check?.runId ?? null);
  // The mapping step: what the server proposed for this file's header (kept while the file is read the same
  // way), and the choices made from it; null when the header is exactly the kind's columns.
  const [proposal, setProposal] = useState<{ key: string; value: MappingProposal } | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping | null>(null);
  const proposalRef = useRef(proposal);
  const mappingRef = useRef(mapping);

  useEffect(() => {
    listKinds().then(
      // A member cannot import users (the server refuses it): that kind is not offered.
      (r) =>
        setKinds({ ...r, items: r.items.filter((k) => k.name !== 'users' || can(session, 'import-users')) }),
      (err: unknown) => setKindsError(errorOf(err)),
    );
  }, [session]);

  /**
   * Uploads the file as a dry run; called whenever the kind, the options, the file or the mapping change.
   * A new file (or one read another way) first gets its mapping proposed; the dry run then reads it so.
   */
  const runCheck = (next: {
    kind: string | null;
    file: File | null;
    options: ImportOptions;
    mapping?: ColumnMapping | null;
  }) => {
    const n = ++seq.current;
    if (!next.kind || !next.file) {
      setCheck(null);
      return;
    }
    const mine = (update: (c: Check) => Check) => setCheck((c) => (c && c.seq === n ? update(c) : c));
    setCheck({ seq: n, sent: 0 });
    const { kind: k, file: f, options: o } = next;
    const key = JSON.stringify([
      k,
      f.name,
      f.size,
      f.lastModified,
      o.encoding,
      o.delimiter,
      o.headerLine,
      o.sheet,
    ]);
    const known = proposalRef.current?.key === key ? proposalRef.current : null;
    const proposed: Promise<MappingProposal | null> = known
      ? Promise.resolve(known.value)
      : proposeMapping({ kind: k, file: f, options: o }).catch(() => null);
    void proposed.then((p) => {
      if (n !== seq.current) return;
      let chosen = next.mapping === undefined ? mappingRef.current : next.mapping;
      if (!known) {
        const fresh = p && { key, value: p };
        proposalRef.current = fresh;
        setProposal(fresh);
        chosen = p && !p.exact ? proposedMapping(p) : null;
      }
      mappingRef.current = chosen;
      setMapping(chosen);
      startImport(
        {
          kind: k,
          file: f,
          dryRun: true,
          options: { ...withoutDefaults(o, kinds!.defaults), ...(chosen ? { mapping: chosen } : {}) },
        },
        (sent) => mine((c) => ({ ...c, sent })),
      ).then(
        (accepted) => mine((c) => ({ ...c, runId: accepted.id })),
        (err: unknown) => mine((c) => ({ ...c, error: errorOf(err) })),
      );
    });
  };
  const chooseKind = (k: string) => {
    setKind(k);
    runCheck({ kind: k, file, options });
  };
  const chooseFile = (f: File) => {
    setFile(f);
    setKindsFolded(true);
    runCheck({ kind, file: f, options });
  };
  const changeOptions = (o: ImportOptions) => {
    setOptions(o);
    runCheck({ kind, file, options: o });
  };
  const changeMapping = (m: ColumnMapping) => runCheck({ kind, file, options, mapping: m });
  const mappingStep =
    kind && proposal && !proposal.value.exact && mapping ? (
      <MappingStep
        key={proposal.key}
        kind={kind}
        proposal={proposal.value}
        mapping={mapping}
        onChange={changeMapping}
        onHeaderLine={(headerLine) => changeOptions({ ...options, headerLine })}
      />
    ) : null;

  const report = run && isFinished(run) ? run.report : null;
  return (
    <>
      <PageTitle title="New import" />
      {kindsError ? <ErrorMessage error={kindsError} title="The import kinds could not be loaded." /> : null}
      {!kinds && !kindsError ? <p>Loading…</p> : null}
      {kinds ? (
        <form className="new-import" onSubmit={(e) => e.preventDefault()}>
          <KindPicker
            kinds={kinds.items}
            value={kind}
            onChange={chooseKind}
            folded={kindsFolded}
            onUnfold={() => setKindsFolded(false)}
          />
          <OptionsForm
            kind={kinds.items.find((k) => k.name === kind)}
            defaults={kinds.defaults}
            options={options}
            onChange={changeOptions}
          />
          <FileDrop file={file} onFile={chooseFile} />
          {file && !kind ? (
            <p className="notice warning">Choose what the file holds (step 1) to check it.</p>
          ) : null}
        </form>
      ) : null}

      {check ? (
        <section className="check" aria-labelledby="check-title">
          <h2 id="check-title" className="visually-hidden">
            Check
          </h2>
          {check.error ? (
            <ErrorMessage error={check.error} title="The file could not be checked.">
              <p>
                <button type="button" onClick={() => runCheck({ kind, file, options })}>
                  Try again
                </button>
              </p>
            </ErrorMessage>
          ) : null}
          {runError ? <ErrorMessage error={runError} /> : null}
          {!check.error && !check.runId ? (
            <div className="progress">
              <p role="status">
                Uploading {file?.name}… {Math.round(check.sent * 100)}%
              </p>
              <progress max={1} value={check.sent} aria-label="Uploaded" />
            </div>
          ) : null}
          {run && !isFinished(run) ? <RunProgress run={run} label={`Checking ${run.file.name}`} /> : null}
          {run && report ? (
            <FileCheck
              report={report}
              onFix={(patch) => changeOptions(withoutDefaults({ ...options, ...patch }, kinds!.defaults))}
            />
          ) : null}
          {/* Stays in place while a changed choice is checked again, so focus stays on its select. */}
          {mappingStep}
          {run && report ? (
            <>
              {run.status === 'failed' ? (
                <ErrorMessage
                  error={new ApiError(0, 'failed', run.error ?? 'The check failed.')}
                  title="The check failed on the server."
                />
              ) : null}
              {run.status === 'completed' ? (
                <>
                  <section className="effect" aria-labelledby="effect-title">
                    <h2 id="effect-title">What will happen</h2>
                    <p role="status">
                      Checked: {formatNumber(report.counts.rowsProcessed)}{' '}
                      {report.counts.rowsProcessed === 1 ? 'row' : 'rows'}. Nothing has changed yet.
                    </p>
                    <CountsList counts={report.counts} dryRun />
                  </section>
                  <RowEffects runId={run.id} counts={report.counts} dryRun />
                  <ApplyPanel
                    run={run}
                    workspace={session.workspace.name}
                    onRecheck={() => runCheck({ kind, file, options })}
                  />
                </>
              ) : null}
            </>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
