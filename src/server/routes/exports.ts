import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EXPORT_KINDS, exportCsv } from '../../exports/export-csv.js';
import { authOf } from '../context.js';
import { ErrorBody } from '../errors.js';

/** GET /api/exports/:kind.csv: what `roster export KIND` writes, as a download. */
export const exportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/exports/:kind.csv',
    {
      schema: {
        tags: ['exports'],
        summary: 'Customers, contacts or persons as CSV in the columns of their import (roster export)',
        params: z.object({ kind: z.enum(EXPORT_KINDS) }),
        produces: ['text/csv'],
        response: { 200: z.string().describe('CSV, UTF-8'), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req, reply) => {
      const { workspace } = authOf(req);
      const body = new PassThrough();
      exportCsv(app.db, workspace.id, req.params.kind, body).then(
        () => body.end(),
        (err: unknown) => body.destroy(err as Error),
      );
      // Streamed page by page as it is written (Fastify never serializes a stream).
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${workspace.slug}-${req.params.kind}.csv"`)
        .send(body as unknown as string);
    },
  );
};
