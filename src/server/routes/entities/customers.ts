import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createCustomer,
  deleteCustomer,
  getCustomer,
  searchCustomers,
  updateCustomer,
} from '../../../domain/customers.js';
import { authOf } from '../../context.js';
import { ErrorBody } from '../../errors.js';
import { IdParams, ListQuery, Name, NoContent, pageOf, ReadErrors, WriteErrors } from './schemas.js';

const Customer = z
  .object({
    id: z.number().int(),
    ref: z.string().describe('The public reference imports name customers by (customer_ref, company_id)'),
    name: z.string(),
    erpId: z.string().nullable(),
    contacts: z.number().int().describe('How many contacts are linked to it'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Customer' });

const Ref = z.string().trim().min(1, 'must not be empty').max(100);
const ErpId = z.string().trim().max(100).nullable().optional().describe('null or "" clears it');

const tags = ['customers'];

/** /api/customers: list and search, create, read, change, delete (its contact links go with it). */
export const customerRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/customers',
    {
      schema: {
        tags,
        summary: 'Customers by ref (or name); q searches ref, name and erp_id',
        querystring: ListQuery.extend({
          sort: z.enum(['ref', 'name']).default('ref').describe('name: by name, then ref'),
        }),
        response: { 200: pageOf(Customer, 'CustomerPage'), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => searchCustomers(app.db, authOf(req).workspace.id, req.query),
  );

  app.post(
    '/api/customers',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Create a customer',
        body: z.strictObject({ ref: Ref, name: Name, erpId: ErpId }),
        response: { 201: Customer, ...WriteErrors },
      },
    },
    async (req, reply) => {
      const customer = await createCustomer(app.db, authOf(req).workspace.id, req.body, authOf(req).actor);
      return reply.code(201).header('location', `/api/customers/${customer.id}`).send(customer);
    },
  );

  app.get(
    '/api/customers/:id',
    {
      schema: { tags, summary: 'A customer', params: IdParams, response: { 200: Customer, ...ReadErrors } },
    },
    async (req) => getCustomer(app.db, authOf(req).workspace.id, req.params.id),
  );

  app.patch(
    '/api/customers/:id',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Change a customer’s ref, name or erp_id',
        params: IdParams,
        body: z.strictObject({ ref: Ref.optional(), name: Name.optional(), erpId: ErpId }),
        response: { 200: Customer, ...WriteErrors },
      },
    },
    async (req) =>
      updateCustomer(app.db, authOf(req).workspace.id, req.params.id, req.body, authOf(req).actor),
  );

  app.delete(
    '/api/customers/:id',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Delete a customer and its links to contacts (the contacts stay)',
        params: IdParams,
        response: { 204: NoContent, ...WriteErrors },
      },
    },
    async (req, reply) => {
      await deleteCustomer(app.db, authOf(req).workspace.id, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
