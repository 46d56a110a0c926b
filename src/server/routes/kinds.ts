import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KINDS } from '../../imports/kinds/index.js';
import { KIND_NAMES } from '../../imports/types.js';
import { authOf } from '../context.js';
import { ErrorBody } from '../errors.js';

const Kind = z
  .object({
    name: z.enum(KIND_NAMES),
    summary: z.string(),
    columns: z.array(z.object({ name: z.string(), required: z.boolean() })),
    template: z.string().describe('Path of a CSV file with the right header'),
  })
  .meta({ id: 'ImportKind' });

/** What each import kind does and takes, and an empty template CSV per kind. */
export const kindRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/kinds',
    {
      schema: {
        tags: ['imports'],
        summary: 'The import kinds, their columns and templates',
        response: { 200: z.object({ items: z.array(Kind) }), 401: ErrorBody },
      },
    },
    async (req) => {
      const fields = await customFieldColumns(app, authOf(req).workspace.id);
      return {
        items: KIND_NAMES.map((name) => ({
          name,
          summary: KINDS[name].summary,
          columns: [
            ...KINDS[name].columns.map((c) => ({ name: c.name, required: c.required === true })),
            ...(name === 'contacts' ? fields.map((f) => ({ name: f, required: false })) : []),
          ],
          template: `/api/kinds/${name}/template.csv`,
        })),
      };
    },
  );

  app.get(
    '/api/kinds/:kind/template.csv',
    {
      schema: {
        tags: ['imports'],
        summary: 'A CSV template: the header row of the kind (contacts: with the custom fields)',
        params: z.object({ kind: z.enum(KIND_NAMES) }),
        produces: ['text/csv'],
        response: { 200: z.string(), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req, reply) => {
      const { kind } = req.params;
      const extra = kind === 'contacts' ? await customFieldColumns(app, authOf(req).workspace.id) : [];
      const header = [...KINDS[kind].columns.map((c) => c.name), ...extra].join(',');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${kind}-template.csv"`)
        .send(`${header}\r\n`);
    },
  );
};

async function customFieldColumns(app: { db: import('../../db/dialect.js').Db }, workspaceId: number) {
  const rows = await app.db
    .selectFrom('custom_fields')
    .select('variable')
    .where('workspace_id', '=', workspaceId)
    .orderBy('variable')
    .execute();
  return rows.map((r) => r.variable);
}
