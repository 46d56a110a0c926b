import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ColumnMappingSchema } from '../../imports/import-options.js';
import * as mappings from '../../imports/service/mapping-service.js';
import { KIND_NAMES } from '../../imports/types.js';
import { AppError } from '../../errors.js';
import { ErrorBody } from '../errors.js';
import { receiveUpload } from './import-upload.js';
import { callerOf } from './imports.js';

const Columns = ColumnMappingSchema.describe(
  'Header cell as written (trimmed) → a column of the kind, or null to leave it out',
);

const Mapping = z
  .object({
    name: z.string(),
    kind: z.enum(KIND_NAMES),
    columns: Columns,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'SavedMapping' });

const MappingProposal = z
  .object({
    format: z.enum(['csv', 'xlsx']),
    sheet: z.string().optional().describe('The workbook sheet that was read'),
    headerLine: z.number().describe('The line (sheet row) of the header'),
    columns: z.array(
      z.object({
        name: z.string().describe('The header cell as written, trimmed'),
        samples: z.array(z.string()).describe('Its first non-blank values (none for a password column)'),
        target: z.string().nullable().describe('The column proposed for it; null: leave it out'),
        why: z
          .enum(['exact', 'alias', 'remembered', 'close', 'note'])
          .nullable()
          .describe('exact column, recognised header, chosen last time here, close match; note: a _ column'),
        note: z
          .string()
          .optional()
          .describe('What it holds in the export it comes from, when not the column'),
      }),
    ),
    targets: z.array(z.object({ name: z.string(), required: z.boolean(), custom: z.boolean() })),
    exact: z.boolean().describe('Every header cell is a column of the kind as written: no mapping is needed'),
  })
  .meta({ id: 'MappingProposal' });

const NameParams = z.object({ name: z.string().min(1).max(100) });
const tags = ['mappings'];
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

/** /api/mappings: column mappings saved by name; /api/kinds/:kind/header-choices: what was chosen last. */
export const mappingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/mappings',
    {
      schema: {
        tags,
        summary: 'Saved column mappings by name, optionally of one kind',
        querystring: z.object({ kind: z.enum(KIND_NAMES).optional() }),
        response: { 200: z.object({ items: z.array(Mapping) }), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => ({
      items: (await mappings.listSavedMappings(app, callerOf(req), req.query.kind)) as z.infer<
        typeof Mapping
      >[],
    }),
  );

  app.post(
    '/api/mappings/propose',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Read the header and first rows of a file and propose a column for each header cell',
        description:
          'multipart/form-data like POST /api/imports (kind, the options that say how to read the file, then ' +
          'a `file` part; the start of a large CSV is enough). Changes nothing and keeps no file.',
        consumes: ['multipart/form-data'],
        response: { 200: MappingProposal, 400: ErrorBody, 401: ErrorBody, 413: ErrorBody },
      },
    },
    async (req) => {
      const caller = callerOf(req);
      if (!req.isMultipart()) {
        throw new AppError(
          'invalid_request',
          'Send the file as multipart/form-data.',
          'Fields: kind, then a part named file.',
        );
      }
      return mappings.proposeMapping(app, caller, await receiveUpload(app, req.parts()));
    },
  );

  app.get(
    '/api/mappings/:name',
    {
      schema: { tags, summary: 'A saved mapping', params: NameParams, response: { 200: Mapping, ...errors } },
    },
    async (req) =>
      (await mappings.readSavedMapping(app, callerOf(req), req.params.name)) as z.infer<typeof Mapping>,
  );

  app.post(
    '/api/mappings',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Save a mapping under its name (replacing one of that name in this workspace)',
        body: z.strictObject({
          name: z.string().min(1).max(100),
          kind: z.enum(KIND_NAMES),
          columns: Columns,
        }),
        response: { 200: Mapping, ...errors, 403: ErrorBody },
      },
    },
    async (req) =>
      (await mappings.saveNamedMapping(app, callerOf(req), {
        name: req.body.name,
        kind: req.body.kind,
        columns: req.body.columns,
      })) as z.infer<typeof Mapping>,
  );

  app.delete(
    '/api/mappings/:name',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Delete a saved mapping',
        params: NameParams,
        response: { 204: z.null(), ...errors, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      await mappings.deleteSavedMapping(app, callerOf(req), req.params.name);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/kinds/:kind/header-choices',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'The column this workspace chose last for each of these header cells (absent: never chosen)',
        params: z.object({ kind: z.enum(KIND_NAMES) }),
        body: z.strictObject({ headers: z.array(z.string()).max(1000) }),
        response: { 200: z.object({ choices: Columns }), ...errors },
      },
    },
    async (req) => ({
      choices: await mappings.lastHeaderChoices(app, callerOf(req), req.params.kind, req.body.headers),
    }),
  );
};
