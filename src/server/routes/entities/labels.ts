import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createLabel, deleteLabel, getLabel, renameLabel, searchLabels } from '../../../domain/labels.js';
import { authOf } from '../../context.js';
import { ErrorBody } from '../../errors.js';
import { IdParams, ListQuery, Name, NoContent, pageOf, ReadErrors, WriteErrors } from './schemas.js';

const Label = z
  .object({
    id: z.number().int(),
    labelId: z.string().describe('The short stable id that labels_id columns name'),
    name: z.string().describe('Unique, case-sensitive: what labels columns name'),
    uses: z.number().int().describe('How many contacts carry it'),
    createdAt: z.string(),
  })
  .meta({ id: 'Label' });

const tags = ['labels'];

/** /api/labels: list and search, create, read, rename, delete (refused while a contact carries it). */
export const labelRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/labels',
    {
      schema: {
        tags,
        summary: 'Labels by name; q searches the name',
        querystring: ListQuery,
        response: { 200: pageOf(Label, 'LabelPage'), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => searchLabels(app.db, authOf(req).workspace.id, req.query),
  );

  app.post(
    '/api/labels',
    {
      schema: {
        tags,
        summary: 'Create a label',
        body: z.strictObject({
          name: Name,
          labelId: z
            .string()
            .optional()
            .describe('Up to 32 letters, digits, _ or -; generated when absent; cannot change later'),
        }),
        response: { 201: Label, ...WriteErrors },
      },
    },
    async (req, reply) => {
      const label = await createLabel(app.db, authOf(req).workspace.id, req.body);
      return reply.code(201).header('location', `/api/labels/${label.id}`).send(label);
    },
  );

  app.get(
    '/api/labels/:id',
    {
      schema: { tags, summary: 'A label', params: IdParams, response: { 200: Label, ...ReadErrors } },
    },
    async (req) => getLabel(app.db, authOf(req).workspace.id, req.params.id),
  );

  app.patch(
    '/api/labels/:id',
    {
      schema: {
        tags,
        summary: 'Rename a label (its labelId stays)',
        params: IdParams,
        body: z.strictObject({ name: Name }),
        response: { 200: Label, ...WriteErrors },
      },
    },
    async (req) => renameLabel(app.db, authOf(req).workspace.id, req.params.id, req.body.name),
  );

  app.delete(
    '/api/labels/:id',
    {
      schema: {
        tags,
        summary: 'Delete a label no contact carries (409 in_use otherwise, with the count)',
        params: IdParams,
        response: { 204: NoContent, ...WriteErrors },
      },
    },
    async (req, reply) => {
      await deleteLabel(app.db, authOf(req).workspace.id, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
