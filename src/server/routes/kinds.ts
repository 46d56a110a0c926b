import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/dialect.js';
import { HEADER_ALIASES } from '../../imports/kinds/header-aliases.js';
import { KINDS } from '../../imports/kinds/index.js';
import {
  BLANK_MODES,
  CUSTOMER_KEYS,
  DEFAULT_OPTIONS,
  KIND_OPTIONS,
  LABEL_MODES,
} from '../../imports/import-options.js';
import { KIND_NAMES, type KindName } from '../../imports/types.js';
import { authOf } from '../context.js';
import { ErrorBody } from '../errors.js';

const Kind = z
  .object({
    name: z.enum(KIND_NAMES),
    summary: z.string(),
    columns: z.array(
      z.object({
        name: z.string(),
        required: z.boolean(),
        aliases: z
          .array(z.string())
          .describe(
            'Recognised headers: what other exports write for this column (any case; space - _ . alike)',
          ),
      }),
    ),
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
      const workspaceId = authOf(req).workspace.id;
      const items = KIND_NAMES.map(async (name) => ({
        name,
        summary: KINDS[name].summary,
        columns: await kindColumns(app.db, workspaceId, name),
        options: [...KINDS[name].options],
        template: `/api/kinds/${name}/template.csv`,
      }));
      return { items: await Promise.all(items), defaults: DEFAULTS };
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
      const columns = await kindColumns(app.db, authOf(req).workspace.id, kind);
      const header = columns.map((c) => c.name).join(',');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${kind}-template.csv"`)
        .send(`${header}\r\n`);
    },
  );
};

/** A kind's columns in a workspace: its own, then those the workspace defines for it (contacts: custom fields). */
async function kindColumns(db: Db, workspaceId: number, name: KindName) {
  const kind = KINDS[name];
  const extra = (await kind.extraColumns?.(db, workspaceId)) ?? [];
  return [
    ...kind.columns.map((c) => ({
      name: c.name,
      required: c.required === true,
      aliases: [...(HEADER_ALIASES[name][c.name] ?? [])],
    })),
    ...extra.map((c) => ({ name: c.name, required: false, aliases: [] })),
  ];
}
