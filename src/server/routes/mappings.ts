import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ColumnMappingSchema } from '../../imports/import-options.js';
import * as mappings from '../../imports/service/mapping-service.js';
import { KIND_NAMES } from '../../imports/types.js';
import { ErrorBody } from '../errors.js';
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
