import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import {
  ImportCounts,
  ImportReport,
  RowOutcome,
  RowOutcomeEntry,
  RunPhase,
  RunStatus,
  UndoReport,
} from '../../imports/contract.js';
import type { ImportRun } from '../../imports/run-repository.js';
import * as imports from '../../imports/service/import-service.js';
import { KIND_NAMES } from '../../imports/types.js';
import { authOf, type Auth } from '../context.js';
import { ErrorBody } from '../errors.js';
import { attachment } from '../file-names.js';
import { receiveUpload } from './import-upload.js';

const RunSummary = z
  .object({
    id: z.string(),
    kind: z.enum(KIND_NAMES),
    status: RunStatus,
    phase: RunPhase,
    dryRun: z.boolean(),
    actor: z.string().describe('Who started it: a user email, or token:<name>'),
    file: z.object({ name: z.string(), bytes: z.number() }),
    counts: ImportCounts.nullable(),
    progress: z.object({ rowsDone: z.number(), rowsTotal: z.number() }),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    undoneAt: z.string().nullable(),
    sourceRunId: z.string().nullable().describe('For a run that applied a dry run: that dry run'),
    appliedRunId: z.string().nullable().describe('For a dry run that was applied: the run that applied it'),
  })
  .meta({ id: 'ImportRunSummary' });

const RunDetail = RunSummary.extend({
  report: ImportReport.nullable().describe('Once the run has finished (or was rejected)'),
  undo: UndoReport.nullable(),
}).meta({ id: 'ImportRun' });

const Accepted = z
  .object({ id: z.string(), status: z.literal('queued'), location: z.string() })
  .meta({ id: 'ImportAccepted' });

const IdParams = z.object({ id: z.string().describe('The import run id (a UUID)') });

function summary(run: ImportRun): z.infer<typeof RunSummary> {
  return {
    id: run.publicId,
    kind: run.kind,
    status: run.status,
    phase: run.phase,
    dryRun: run.dryRun,
    actor: run.actor,
    file: { name: run.fileName, bytes: run.fileBytes },
    counts: run.counts,
    progress: { rowsDone: run.rowsDone, rowsTotal: run.rowsTotal },
    error: run.error,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    undoneAt: run.undoneAt,
    sourceRunId: run.sourceRunId,
    appliedRunId: run.appliedRunId,
  };
}

/** The import service's caller for a request: its workspace, author, and role (tokens act as admin). */
export function callerOf(req: FastifyRequest): imports.Caller {
  const auth: Auth = authOf(req);
  return { workspace: auth.workspace, actor: auth.actor, role: auth.role, via: auth.via };
}

/** 202 with where to poll the queued run. */
function accepted(reply: FastifyReply, run: ImportRun) {
  const location = `/api/imports/${run.publicId}`;
  return reply.code(202).header('location', location).send({ id: run.publicId, status: 'queued', location });
}

/** Upload (streamed to disk, then queued), history, status and report, rows, errors CSV, apply, undo. */
export const importRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: imports.ImportDeps = { db: app.db, config: app.config, jobs: app.jobs };
  const runOf = (req: FastifyRequest & { params: { id: string } }) =>
    imports.readRun(deps, callerOf(req), req.params.id);

  app.post(
    '/api/imports',
    {
      config: { members: true },
      schema: {
        tags: ['imports'],
        summary: 'Upload a CSV file and start an import (dry run or not) in the background',
        description:
          'multipart/form-data: the fields of ImportForm, then a `file` part. Answers at once with the ' +
          'run id; poll GET /api/imports/{id}. Files larger than the server limit (default 1 GiB) get 413.',
        consumes: ['multipart/form-data'],
        response: { 202: Accepted, 400: ErrorBody, 401: ErrorBody, 413: ErrorBody },
      },
    },
    async (req, reply) => {
      const caller = callerOf(req);
      if (!req.isMultipart()) {
        throw new AppError(
          'invalid_request',
          'Send the file as multipart/form-data.',
          'Fields: kind (and options), then a part named file.',
        );
      }
      const run = await imports.queueImport(deps, caller, await receiveUpload(app, req.parts()));
      req.log.info({ run: run.publicId, kind: run.kind, bytes: run.fileBytes }, 'import queued');
      return accepted(reply, run);
    },
  );

  app.get(
    '/api/imports',
    {
      schema: {
        tags: ['imports'],
        summary: 'Past and running imports, newest first',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: {
          200: z.object({
            items: z.array(RunSummary),
            total: z.number(),
            limit: z.number(),
            offset: z.number(),
          }),
          401: ErrorBody,
        },
      },
    },
    async (req) => {
      const { items, total } = await imports.listImports(deps, callerOf(req), req.query);
      return { items: items.map(summary), total, ...req.query };
    },
  );

  app.get(
    '/api/imports/:id',
    {
      schema: {
        tags: ['imports'],
        summary: 'An import: status, progress (rows done of total), and its report once finished',
        params: IdParams,
        response: { 200: RunDetail, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const run = await runOf(req);
      return {
        ...summary(run),
        report: await imports.finalReportOf(deps, callerOf(req), run),
        undo: run.undoReport,
      };
    },
  );

  app.get(
    '/api/imports/:id/rows',
    {
      schema: {
        tags: ['imports'],
        summary: 'Row by row: outcome, values, and for an update each changed field [before, after]',
        params: IdParams,
        querystring: z.object({
          status: RowOutcome.optional(),
          after: z.coerce.number().int().min(0).default(0).describe('The last line of the previous page'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            items: z.array(RowOutcomeEntry),
            nextAfter: z.number().nullable().describe('Pass as `after` for the next page; null at the end'),
          }),
          401: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req) => {
      const { limit } = req.query;
      const items = await imports.rowsOf(deps, callerOf(req), await runOf(req), {
        ...req.query,
        withValues: true,
      });
      return { items, nextAfter: items.length === limit ? items[items.length - 1]!.line : null };
    },
  );

  app.get(
    '/api/imports/:id/errors.csv',
    {
      schema: {
        tags: ['imports'],
        summary:
          'Every unmatched and invalid row with its columns plus _line and _error, to fix and re-import',
        params: IdParams,
        produces: ['text/csv'],
        response: { 200: z.string().describe('CSV, UTF-8'), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const run = await runOf(req);
      const body = new PassThrough();
      imports.writeErrors(deps, callerOf(req), run, body).catch((err: unknown) => body.destroy(err as Error));
      // Streamed as it is written (Fastify never serializes a stream); the schema documents the text it is.
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', attachment(path.parse(run.fileName).name, '-errors.csv'))
        .send(body as unknown as string);
    },
  );

  app.post(
    '/api/imports/:id/apply',
    {
      config: { members: true },
      schema: {
        tags: ['imports'],
        summary: 'Apply a reviewed dry run; 409 if the data it previewed has changed since',
        params: IdParams,
        response: { 202: Accepted, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => accepted(reply, await imports.applyDryRun(deps, callerOf(req), await runOf(req))),
  );

  app.post(
    '/api/imports/:id/undo',
    {
      config: { members: true },
      schema: {
        tags: ['imports'],
        summary: 'Undo a completed run: records go back unless they changed since (listed as conflicts)',
        params: IdParams,
        response: { 200: UndoReport, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const report = await imports.undoRun(deps, callerOf(req), await runOf(req));
      req.log.info({ run: report.id, restored: report.restored, removed: report.removed }, 'import undone');
      return report;
    },
  );
};
