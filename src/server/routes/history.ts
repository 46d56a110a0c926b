import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contactHistory, customerHistory } from '../../domain/record-history.js';
import { authOf } from '../context.js';
import { IdParams, ReadErrors } from './entities/schemas.js';

const Change = z.tuple([z.unknown(), z.unknown()]).describe('[before, after]; null is empty');

const History = z
  .object({
    items: z.array(
      z.object({
        at: z.string(),
        actor: z.string().describe('A user’s email, or token:<name>'),
        source: z.enum(['import', 'edit']),
        action: z.enum(['created', 'updated', 'linked', 'unlinked']),
        subject: z
          .string()
          .nullable()
          .describe(
            'A link change: the customer’s ref (on a contact) or the contact’s email (on a customer)',
          ),
        changes: z.record(z.string(), Change).describe('By column of the import'),
        run: z
          .object({
            id: z.string(),
            kind: z.string(),
            status: z.string(),
            fileName: z.string(),
            line: z.number().int(),
          })
          .nullable()
          .describe('The import run and the line of its file; null for an API edit'),
      }),
    ),
    more: z.boolean().describe('Older changes exist beyond these'),
  })
  .meta({ id: 'RecordHistory' });

const Query = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) });

/** GET /api/contacts/:id/history and /api/customers/:id/history: every import row and API edit that changed it. */
export const historyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/contacts/:id/history',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Every import run (row by row) and API edit that changed the contact, newest first',
        params: IdParams,
        querystring: Query,
        response: { 200: History, ...ReadErrors },
      },
    },
    async (req) => contactHistory(app.db, authOf(req).workspace.id, req.params.id, req.query.limit),
  );

  app.get(
    '/api/customers/:id/history',
    {
      schema: {
        tags: ['customers'],
        summary:
          'Every import run and API edit that changed the customer or one of its persons, newest first',
        params: IdParams,
        querystring: Query,
        response: { 200: History, ...ReadErrors },
      },
    },
    async (req) => customerHistory(app.db, authOf(req).workspace.id, req.params.id, req.query.limit),
  );
};
