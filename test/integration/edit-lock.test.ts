import { describe, expect, it } from 'vitest';
import { withWorkspaceLock } from '../../src/db/workspace-lock.js';
import { addPosition, listPositions } from '../../src/domain/positions.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { AppError } from '../../src/errors.js';
import type { TestDatabase } from '../support/test-db.js';
import { useWorldPerTest } from '../support/world.js';

describe('edits while an import is being applied', () => {
  let t: TestDatabase;
  let ws: Workspace;
  useWorldPerTest((db, w) => {
    t = db;
    ws = w;
  });

  it('are refused after a short wait, change nothing, and go through once the import is done', async () => {
    const before = (await listPositions(t.conn.db, ws.id)).length;
    const lock = { workspaceId: ws.id, runId: 4242, timeoutMs: 1000 };
    const err = await withWorkspaceLock(t.conn.db, lock, () =>
      addPosition(t.conn.db, ws.id, 'Chief Listener').catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: 'database_busy',
      message: expect.stringMatching(/import is being applied/),
    });
    expect(await listPositions(t.conn.db, ws.id)).toHaveLength(before);

    await addPosition(t.conn.db, ws.id, 'Chief Listener');
    expect(await listPositions(t.conn.db, ws.id)).toHaveLength(before + 1);
  });
});
