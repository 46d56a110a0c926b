import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KINDS } from '../../imports/kinds/index.js';
import {
  BLANK_MODES,
  CUSTOMER_KEYS,
  DEFAULT_OPTIONS,
  KIND_OPTIONS,
  LABEL_MODES,
} from '../../imports/import-options.js';
import { KIND_NAMES } from '../../imports/types.js';
import { authOf } from '../context.js';
import { ErrorBody } from '../errors.js';

const Kind = z
  .object({
    name: z.enum(KIND_NAMES),
    summary: z.string(),
    columns: z.array(z.object({ name: z.string(), required: z.boolean() })),
    options: z.array(z.enum(KIND_OPTIONS)).describe('The upload options that change what this kind does'),
    template: z.string().describe('Path of a CSV file with the right header'),
  })
  .meta({ id: 'ImportKind' });

const { dryRun: _dryRun, encoding: _encoding, delimiter: _delimiter, ...DEFAULTS } = DEFAULT_OPTIONS;

/** What each import kind does and takes, and an empty template CSV per kind. */
export const kindRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/kinds',
    {
      schema: {
        tags: ['imports'],
        summary: 'The import kinds, their columns and templates',
        response: {
          200: z.object({
            items: z.array(Kind),
            defaults: z
              .object({
                customerKey: z.enum(CUSTOMER_KEYS),
                ignoreCase: z.boolean(),
                labels: z.enum(LABEL_MODES),
                blank: z.enum(BLANK_MODES),
                batchSize: z.number(),
              })
              .describe('The value of each option left out of an upload'),
          }),
          401: ErrorBody,
        },
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
          options: [...KINDS[name].options],
          template: `/api/kinds/${name}/template.csv`,
        })),
        defaults: DEFAULTS,
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
