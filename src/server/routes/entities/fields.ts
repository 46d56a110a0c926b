import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createField,
  deleteField,
  FIELD_TYPES,
  getField,
  searchFields,
  updateField,
} from '../../../domain/fields.js';
import { KINDS } from '../../../imports/kinds/index.js';
import { authOf } from '../../context.js';
import { ErrorBody } from '../../errors.js';
import { IdParams, ListQuery, NoContent, pageOf, ReadErrors, WriteErrors } from './schemas.js';

const Field = z
  .object({
    id: z.number().int(),
    variable: z.string().describe('The contacts import column that sets it'),
    label: z.string(),
    type: z.enum(FIELD_TYPES),
    uses: z.number().int().describe('How many contacts hold a value of it'),
    createdAt: z.string(),
  })
  .meta({ id: 'CustomField' });

const Variable = z.string().max(63).describe('[a-z][a-z0-9_]*, not a column of the contacts import');
const Label = z.string().trim().max(200);

/** A field's variable may not be one of the contacts import's own columns. */
const RESERVED = KINDS.contacts.columns.map((c) => c.name);

const tags = ['fields'];

/** /api/fields: custom fields of contacts: list and search, create, read, change, delete (refused while used). */
export const fieldRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/fields',
    {
      schema: {
        tags,
        summary: 'Custom fields by variable; q searches the variable and the label',
        querystring: ListQuery,
        response: { 200: pageOf(Field, 'CustomFieldPage'), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => searchFields(app.db, authOf(req).workspace.id, req.query),
  );

  app.post(
    '/api/fields',
    {
      schema: {
        tags,
        summary: 'Create a custom field of contacts',
        body: z.strictObject({ variable: Variable, type: z.enum(FIELD_TYPES), label: Label.optional() }),
        response: { 201: Field, ...WriteErrors },
      },
    },
    async (req, reply) => {
      const field = await createField(app.db, authOf(req).workspace.id, req.body, RESERVED);
      return reply.code(201).header('location', `/api/fields/${field.id}`).send(field);
    },
  );

  app.get(
    '/api/fields/:id',
    {
      schema: { tags, summary: 'A custom field', params: IdParams, response: { 200: Field, ...ReadErrors } },
    },
    async (req) => getField(app.db, authOf(req).workspace.id, req.params.id),
  );

  app.patch(
    '/api/fields/:id',
    {
      schema: {
        tags,
        summary: 'Change a field’s label or variable; its type only while no contact holds a value',
        params: IdParams,
        body: z.strictObject({
          variable: Variable.optional(),
          type: z.enum(FIELD_TYPES).optional(),
          label: Label.optional(),
        }),
        response: { 200: Field, ...WriteErrors },
      },
    },
    async (req) => updateField(app.db, authOf(req).workspace.id, req.params.id, req.body, RESERVED),
  );

  app.delete(
    '/api/fields/:id',
    {
      schema: {
        tags,
        summary: 'Delete a field no contact holds a value of (409 in_use otherwise, with the count)',
        params: IdParams,
        response: { 204: NoContent, ...WriteErrors },
      },
    },
    async (req, reply) => {
      await deleteField(app.db, authOf(req).workspace.id, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
