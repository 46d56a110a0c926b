import { saveMapping } from '../../src/domain/column-mappings.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCustomer } from '../../src/domain/customers.js';
import { addField } from '../../src/domain/fields.js';
import { addLabel } from '../../src/domain/labels.js';
import { addPosition } from '../../src/domain/positions.js';
import { addUser } from '../../src/domain/users.js';
import type { Workspace } from '../../src/domain/workspaces.js';
import { KINDS } from '../../src/imports/kinds/index.js';
import { crossWorkspaceLinks, snapshotData } from '../support/data-state.js';
import { buildWorld, linkPerson } from '../support/factories.js';
import {
  fillPath,
  operationsOf,
  sampleJsonBody,
  type OpenApiDoc,
  type Operation,
} from '../support/openapi.js';
import { Api, startServer, tokenFor, type TestServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

/** For each collection in a path (`/api/customers/{id}`), the values that name one record of a workspace. */
type Ids = Record<string, string[]>;

const ACME_CONTACTS = `email,first_name,labels,acme_secret_field
secret.person@acme-only.test,Secretfirst,Acme Secret Label,secret-value-42
another.secret@acme-only.test,Anothersecret,Acme Secret Label,secret-value-43
`;
const OTHER_POSITIONS = 'customer_ref,email_address,position_name\nCUST001,john.doe@example.com,CEO\n';

/** What only acme holds: none of it may reach a caller of the other workspace. */
const ACME_SECRETS = [
  'ACME-SECRET-1',
  'ACME-ERP-9',
  'Acme Secret Customer',
  'acme-only.test',
  'Secretfirst',
  'Anothersecret',
  'secret-value-4',
  'Acme Secret Position',
  'acmesecret',
  'Acme Secret Label',
  'acme_secret_field',
  'Acme Secret Field',
  'Acme Secret Mapping',
];

/** Query parameters that search a list. */
const SEARCH = ['q', 'search', 'email', 'ref', 'name'];

const RESERVED = [...KINDS.contacts.columns.map((c) => c.name), 'labels', 'labels_id'];

/** The collection a path parameter names a record of: the segment before it, or its name (customerId). */
function collectionOf(path: string, param: string, ids: Ids): string {
  const segments = path.split('/');
  const before = segments[segments.indexOf(`{${param}}`) - 1] ?? '';
  if (ids[before]) return before;
  const byName = `${param.replace(/(Id|_id|Ref|Email)$/, '')}s`;
  if (ids[byName]) return byName;
  throw new Error(`No ids for {${param}} of ${path}: add its collection to the isolation test's ids.`);
}

/**
 * The path values to try on an operation: every combination of the first workspace's values, and for a
 * path with several records, each one of the first workspace's with the others of the caller's own.
 */
function pathValues(op: Operation, foreign: Ids, own: Ids): Record<string, string>[] {
  const records = op.params.filter((p) => !p.enum);
  const columns = records.map((p) => collectionOf(op.path, p.name, foreign));
  let all: Record<string, string>[] = [{}];
  records.forEach((p, i) => {
    all = all.flatMap((v) => foreign[columns[i]!]!.map((value) => ({ ...v, [p.name]: value })));
  });
  if (records.length > 1) {
    records.forEach((p, i) => {
      for (const value of foreign[columns[i]!]!) {
        const mixed = Object.fromEntries(records.map((q, j) => [q.name, own[columns[j]!]![0]!]));
        all.push({ ...mixed, [p.name]: value });
      }
    });
  }
  return all;
}

describe('workspace isolation over HTTP', () => {
  let t: TestDatabase;
  let server: TestServer;
  let acme: Api;
  let other: Api;
  let doc: OpenApiDoc;
  const foreign: Ids = {};
  const own: Ids = {};
  const acmeRuns: string[] = [];
  const otherRuns: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    const db = t.conn.db;
    const acmeWs = await buildWorld(db, 'acme');
    const otherWs = await buildWorld(db, 'other');
    await addCustomer(db, acmeWs.id, {
      ref: 'ACME-SECRET-1',
      name: 'Acme Secret Customer',
      erp_id: 'ACME-ERP-9',
    });
    await addPosition(db, acmeWs.id, 'Acme Secret Position');
    await addLabel(db, acmeWs.id, 'Acme Secret Label', 'acmesecret');
    await addField(
      db,
      acmeWs.id,
      { variable: 'acme_secret_field', type: 'text', label: 'Acme Secret Field' },
      RESERVED,
    );
    await addUser(db, acmeWs.id, { email: 'secret.user@acme-only.test', password: 'secret-password-1' });
    await addLabel(db, otherWs.id, 'Other Label', 'otherlabel');
    await addField(db, otherWs.id, { variable: 'other_field', type: 'text' }, RESERVED);
    await addUser(db, otherWs.id, { email: 'other.user@other.test', password: 'other-password-1' });
    await saveMapping(db, acmeWs.id, {
      name: 'Acme Secret Mapping',
      kind: 'contacts',
      columns: { Mail: 'email' },
    });
    await saveMapping(db, otherWs.id, {
      name: 'Other Mapping',
      kind: 'contacts',
      columns: { Mail: 'email' },
    });

    server = await startServer(t.env);
    acme = new Api(server.url, await tokenFor(db, acmeWs.id, 'acme-token'));
    other = new Api(server.url, await tokenFor(db, otherWs.id, 'other-token'));
    const applied = await acme.waitFor((await acme.upload('contacts', ACME_CONTACTS)).json.id);
    expect(applied).toMatchObject({ status: 'completed', counts: { created: 2 } });
    await linkPerson(
      db,
      acmeWs.id,
      'ACME-SECRET-1',
      'secret.person@acme-only.test',
      'x',
      'y',
      'Acme Secret Position',
    );
    const dry = await acme.waitFor(
      (await acme.upload('contacts', ACME_CONTACTS, { dryRun: 'true' })).json.id,
    );
    expect(dry).toMatchObject({ status: 'completed', dryRun: true });
    acmeRuns.push(applied.id, dry.id);
    const mine = await other.waitFor((await other.upload('positions', OTHER_POSITIONS)).json.id);
    expect(mine.status).toBe('completed');
    otherRuns.push(mine.id);

    const idOf = async (ws: Workspace, table: string, column: string, value: string) => {
      const row = await db
        .selectFrom(table as 'customers')
        .select('id')
        .where('workspace_id', '=', ws.id)
        .where(column as 'ref', '=', value)
        .executeTakeFirstOrThrow();
      return String(row.id);
    };
    // Internal ids and natural keys alike: a route takes one or the other (a key of the wrong type is a 400).
    Object.assign(foreign, {
      imports: acmeRuns,
      customers: [
        await idOf(acmeWs, 'customers', 'ref', 'ACME-SECRET-1'),
        await idOf(acmeWs, 'customers', 'ref', 'CUST001'),
        'ACME-SECRET-1',
      ],
      contacts: [
        await idOf(acmeWs, 'contacts', 'email', 'secret.person@acme-only.test'),
        'secret.person@acme-only.test',
      ],
      positions: [await idOf(acmeWs, 'positions', 'name', 'Acme Secret Position'), 'Acme Secret Position'],
      labels: [await idOf(acmeWs, 'labels', 'public_id', 'acmesecret'), 'acmesecret', 'Acme Secret Label'],
      fields: [await idOf(acmeWs, 'custom_fields', 'variable', 'acme_secret_field'), 'acme_secret_field'],
      users: [
        await idOf(acmeWs, 'users', 'email', 'secret.user@acme-only.test'),
        'secret.user@acme-only.test',
      ],
      tokens: [await idOf(acmeWs, 'api_tokens', 'name', 'acme-token')],
      workspaces: ['acme', String(acmeWs.id)],
      mappings: ['Acme Secret Mapping'],
    });
    Object.assign(own, {
      imports: otherRuns,
      customers: [await idOf(otherWs, 'customers', 'ref', 'CUST001')],
      contacts: [await idOf(otherWs, 'contacts', 'email', 'john.doe@example.com')],
      positions: [await idOf(otherWs, 'positions', 'name', 'CEO')],
      labels: [await idOf(otherWs, 'labels', 'public_id', 'otherlabel')],
      fields: [await idOf(otherWs, 'custom_fields', 'variable', 'other_field')],
      users: [await idOf(otherWs, 'users', 'email', 'other.user@other.test')],
      tokens: [await idOf(otherWs, 'api_tokens', 'name', 'other-token')],
      workspaces: ['other', String(otherWs.id)],
      mappings: ['Other Mapping'],
    });
    doc = (await other.get('/api/openapi.json')).json as OpenApiDoc;
  });
  afterAll(async () => {
    await server?.stop();
    await t?.cleanup();
  });

  const recordRoutes = () => operationsOf(doc).filter((o) => o.params.some((p) => !p.enum));
  const secretsBut = (given: Record<string, string>) => {
    const asked = Object.values(given);
    return [...ACME_SECRETS, ...acmeRuns].filter((s) => !asked.some((a) => a.includes(s) || s.includes(a)));
  };

  it('finds each record of its own workspace by the ids it tries (so a 404 below means something)', async () => {
    for (const op of recordRoutes().filter((o) => o.method === 'GET')) {
      const statuses = await Promise.all(
        pathValues(op, foreign, foreign).map(async (v) => (await acme.get(fillPath(op.path, v))).status),
      );
      expect(statuses, `${op.method} ${op.path}`).toContain(200);
    }
  });

  it('answers 404 on every route naming a record of another workspace, shows none of it, changes nothing', async () => {
    const routes = recordRoutes();
    expect(routes.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining([
        'GET /api/imports/{id}',
        'POST /api/imports/{id}/apply',
        'POST /api/imports/{id}/undo',
      ]),
    );
    for (const op of routes) {
      const before = await snapshotData(t.conn.db);
      const statuses: number[] = [];
      for (const values of pathValues(op, foreign, own)) {
        const route = `${op.method} ${fillPath(op.path, values)}`;
        const res = await other.request(
          op.method,
          fillPath(op.path, values),
          sampleJsonBody(doc, op.operation),
        );
        statuses.push(res.status);
        // 400: a value of the wrong type for this route (a ref where it takes a number).
        expect([400, 404], `${route}: ${res.text}`).toContain(res.status);
        if (res.status === 404) expect(res.json?.error?.code, route).toBe('not_found');
        for (const secret of secretsBut(values)) expect(res.text, route).not.toContain(secret);
      }
      expect(statuses, `${op.method} ${op.path}`).toContain(404);
      expect(await snapshotData(t.conn.db), `${op.method} ${op.path} changed the data`).toBe(before);
    }
    expect(await crossWorkspaceLinks(t.conn.db)).toBe(0);
  });

  it('lists only the caller’s own records on every list route', async () => {
    // GET /api/session reads a signed-in user's session; a token has none (401).
    const lists = operationsOf(doc).filter(
      (o) => o.method === 'GET' && o.path !== '/api/session' && !o.params.some((p) => !p.enum),
    );
    expect(lists.map((o) => o.path)).toEqual(expect.arrayContaining(['/api/imports', '/api/kinds']));
    for (const op of lists) {
      const choices = op.params.length ? op.params[0]!.enum!.map((v) => ({ [op.params[0]!.name]: v })) : [{}];
      for (const values of choices) {
        const route = fillPath(op.path, values);
        const res = await other.get(route);
        expect(res.status, route).toBe(200);
        for (const secret of [...ACME_SECRETS, ...acmeRuns]) expect(res.text, route).not.toContain(secret);
      }
      // A search for acme's records finds none, where acme finds its own.
      const searches = (op.operation.parameters ?? []).filter(
        (p) => p.in === 'query' && SEARCH.includes(p.name),
      );
      for (const { name } of searches) {
        let found = '';
        for (const term of ['ACME-SECRET', 'acme-only', 'Acme Secret']) {
          const route = `${fillPath(op.path, {})}?${name}=${encodeURIComponent(term)}`;
          const res = await other.get(route);
          expect(res.status, route).toBe(200);
          const secrets = [...ACME_SECRETS, ...acmeRuns].filter((s) => !term.includes(s));
          for (const secret of secrets) expect(res.text, route).not.toContain(secret);
          found += (await acme.get(route)).text;
        }
        expect(
          ACME_SECRETS.some((s) => found.includes(s)),
          `acme's own search on ${op.path}`,
        ).toBe(true);
      }
    }
    const history = await other.get('/api/imports');
    expect(history.json.items.map((r: { id: string }) => r.id)).toEqual(otherRuns);
    expect(history.json.total).toBe(otherRuns.length);
    expect((await other.get('/api/kinds/contacts/template.csv')).text).toBe(
      `${KINDS.contacts.columns.map((c) => c.name).join(',')},other_field\r\n`,
    );
    // The same lists do show acme its own.
    expect((await acme.get('/api/imports')).json.items.map((r: { id: string }) => r.id).sort()).toEqual(
      [...acmeRuns].sort(),
    );
    expect((await acme.get('/api/kinds/contacts/template.csv')).text).toContain('acme_secret_field');
  });
});
