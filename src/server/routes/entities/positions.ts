import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createPosition,
  deletePosition,
  getPosition,
  renamePosition,
  searchPositions,
} from '../../../domain/positions.js';
import { authOf } from '../../context.js';
import { ErrorBody } from '../../errors.js';
import { IdParams, ListQuery, Name, NoContent, pageOf, ReadErrors, WriteErrors } from './schemas.js';

const Position = z
  .object({
    id: z.number().int(),
    name: z.string().describe('Unique, case-sensitive: what position_name columns name'),
    uses: z.number().int().describe('How many persons (contact on a customer) hold it'),
    createdAt: z.string(),
  })
  .meta({ id: 'Position' });

const tags = ['positions'];

/** /api/positions: list and search, create, read, rename, delete (refused while a person holds it). */
export const positionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/positions',
    {
      schema: {
        tags,
        summary: 'Positions by name; q searches the name',
        querystring: ListQuery,
        response: { 200: pageOf(Position, 'PositionPage'), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => searchPositions(app.db, authOf(req).workspace.id, req.query),
  );

  app.post(
    '/api/positions',
    {
      schema: {
        tags,
        summary: 'Create a position',
        body: z.strictObject({ name: Name }),
        response: { 201: Position, ...WriteErrors },
      },
    },
    async (req, reply) => {
      const position = await createPosition(app.db, authOf(req).workspace.id, req.body.name);
      return reply.code(201).header('location', `/api/positions/${position.id}`).send(position);
    },
  );

  app.get(
    '/api/positions/:id',
    {
      schema: { tags, summary: 'A position', params: IdParams, response: { 200: Position, ...ReadErrors } },
    },
    async (req) => getPosition(app.db, authOf(req).workspace.id, req.params.id),
  );

  app.patch(
    '/api/positions/:id',
    {
      schema: {
        tags,
        summary: 'Rename a position (the persons holding it keep it)',
        params: IdParams,
        body: z.strictObject({ name: Name }),
        response: { 200: Position, ...WriteErrors },
      },
    },
    async (req) => renamePosition(app.db, authOf(req).workspace.id, req.params.id, req.body.name),
  );

  app.delete(
    '/api/positions/:id',
    {
      schema: {
        tags,
        summary: 'Delete a position no person holds (409 in_use otherwise, with the count)',
        params: IdParams,
        response: { 204: NoContent, ...WriteErrors },
      },
    },
    async (req, reply) => {
      await deletePosition(app.db, authOf(req).workspace.id, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
