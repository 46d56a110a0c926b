import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { personsOfCustomer } from '../../domain/contact-links.js';
import { authOf } from '../context.js';
import { IdParams, ListQuery, pageOf, ReadErrors } from './entities/schemas.js';

const Person = z
  .object({
    contactId: z.number().int(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    position: z.string().nullable(),
    primary: z.boolean(),
  })
  .meta({
    id: 'Person',
    description: 'A contact linked to a customer, with the link’s position and primary mark',
  });

/** GET /api/customers/:id/persons: a customer's contacts with their position and primary mark. */
export const personRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/customers/:id/persons',
    {
      schema: {
        tags: ['customers'],
        summary: 'The persons of a customer by email: each contact with its position and primary mark',
        params: IdParams,
        querystring: ListQuery.omit({ q: true }),
        response: { 200: pageOf(Person, 'PersonPage'), ...ReadErrors },
      },
    },
    async (req) => personsOfCustomer(app.db, authOf(req).workspace.id, req.params.id, req.query),
  );
};
