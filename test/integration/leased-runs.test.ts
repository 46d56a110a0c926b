import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { DEFAULT_OPTIONS } from '../../src/imports/import-options.js';
import { createRun } from '../../src/imports/run-import.js';
import { getRun } from '../../src/imports/run-repository.js';
import { runLeased, type LeaseHolder } from '../../src/imports/service/leased-runs.js';
import { saveUpload } from '../../src/imports/upload-repository.js';
import { backend, type TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

/** A lease keeper that never renews: enough for runs far shorter than its lease. */
function holder(owner: string): LeaseHolder {
  return { lease: { owner, ms: 60_000 }, hold: () => new AbortController().signal, release: () => {} };
}

describe.runIf(backend === 'postgres')('a worker’s leased job', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, w) => {
    t = db;
    ws = w;
  });
  const deps = () => ({ db: t.conn.db, config: loadConfig({ ...process.env, ...t.env }) });
  const queued = (filePath: string) =>
    createRun(t.conn.db, {
      workspace: ws,
      kind: 'contacts',
      filePath,
      actor: 'test',
      options: DEFAULT_OPTIONS,
      status: 'queued',
    });

  it('runs a queued upload to the end and deletes the upload', async () => {
    const csv = 'email,first_name\nleased.one@example.com,Lea\n';
    const { ref } = await saveUpload(t.conn.db, [Buffer.from(csv)]);
    const run = await queued(ref);
    const stop = new AbortController();
    expect(
      await runLeased(deps(), { workspaceId: ws.id, runId: run.publicId }, holder('w1'), stop.signal),
    ).toBe('done');
    expect(await getRun(t.conn.db, run.id)).toMatchObject({ status: 'completed', counts: { created: 1 } });
    expect(await t.conn.db.selectFrom('uploads').select('id').execute()).toEqual([]);
  });

  it('throws a fault a retry can mend to the queue, leaving the run interrupted for the retry', async () => {
    const run = await queued('db-upload:00000000-0000-0000-0000-000000000000');
    const job = { workspaceId: ws.id, runId: run.publicId };
    const stop = new AbortController();
    await expect(runLeased(deps(), job, holder('w1'), stop.signal)).rejects.toMatchObject({
      code: 'file_missing',
    });
    expect(await getRun(t.conn.db, run.id)).toMatchObject({ status: 'interrupted' });
  });

  it('leaves alone a run another worker holds with a live lease', async () => {
    const { ref } = await saveUpload(t.conn.db, [Buffer.from('email\nnot-checked@example.com\n')]);
    const run = await queued(ref);
    await t.conn.db
      .updateTable('import_runs')
      .set({ status: 'running', lease_owner: 'w2', lease_until: Date.now() + 600_000 })
      .where('id', '=', run.id)
      .execute();
    const stop = new AbortController();
    const job = { workspaceId: ws.id, runId: run.publicId };
    expect(await runLeased(deps(), job, holder('w1'), stop.signal)).toBe('done');
    expect(await getRun(t.conn.db, run.id)).toMatchObject({ status: 'running' });
  });
});
