import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/dialect.js';
import { dataVersion } from '../../domain/workspaces.js';
import { AppError } from '../../errors.js';
import { uploadDir } from '../../jobs/handle-import.js';
import { createRun } from '../../imports/run-import.js';
import { claimApply, deleteRun, findRun, listRuns, type ImportRun } from '../../imports/run-repository.js';
import { writeErrorsCsv } from '../../imports/stages/errors-csv.js';
import {
  CUSTOMER_KEYS,
  ENCODINGS,
  ImportOptionsSchema,
  parseImportOptions,
} from '../../imports/import-options.js';
import { buildReport, listRowOutcomes } from '../../imports/run-report.js';
import { KIND_NAMES } from '../../imports/types.js';
import { authOf } from '../context.js';
import { ErrorBody } from '../errors.js';

/** The form fields of an upload (multipart/form-data, beside the `file` part): the kind and its options. */
export const ImportForm = z
  .object({ kind: z.enum(KIND_NAMES).describe('What the file holds') })
  .extend(ImportOptionsSchema.shape);

const Counts = z.object({
  rowsProcessed: z.number(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  unmatched: z.number(),
  invalid: z.number(),
  duplicates: z.number(),
});

const STATUSES = ['queued', 'running', 'completed', 'rejected', 'failed', 'interrupted', 'undone'] as const;
const ROW_STATUSES = ['created', 'updated', 'unchanged', 'unmatched', 'invalid', 'duplicate'] as const;

const Entry = z.looseObject({
  line: z.number(),
  reason: z.string(),
  column: z.string().optional(),
  message: z.string(),
  hint: z.string().optional(),
});

const Report = z
  .object({
    id: z.string(),
    kind: z.enum(KIND_NAMES),
    workspace: z.string(),
    dryRun: z.boolean(),
    status: z.enum(STATUSES),
    file: z.object({
      name: z.string(),
      bytes: z.number(),
      sha256: z.string(),
      encoding: z.string(),
      bom: z.boolean(),
    }),
    options: z.object({
      customerKey: z.enum(CUSTOMER_KEYS),
      ignoreCase: z.boolean(),
      labels: z.enum(['add', 'replace']),
      blank: z.enum(['keep', 'clear']),
      encoding: z.enum(ENCODINGS).optional(),
      delimiter: z.string().optional(),
      batchSize: z.number(),
    }),
    counts: Counts,
    unmatched: z.array(Entry),
    invalid: z.array(Entry),
    warnings: z.array(
      z.object({ line: z.number(), reason: z.string(), message: z.string(), column: z.string().optional() }),
    ),
    rejection: z
      .object({
        reason: z.string(),
        line: z.number().optional(),
        message: z.string(),
        hint: z.string().optional(),
        byteOffset: z.number().optional(),
      })
      .nullable(),
    truncated: z
      .object({ unmatched: z.number(), invalid: z.number(), warnings: z.number() })
      .optional()
      .describe('How many entries each list left out; the errors CSV and /rows hold them all'),
    error: z.string().optional(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ImportReport', description: 'The report of SPEC section 4' });

const UndoReport = z
  .object({
    id: z.string(),
    status: z.literal('undone'),
    restored: z.number(),
    removed: z.number(),
    conflicts: z.array(
      z.object({
        line: z.number(),
        table: z.string(),
        key: z.record(z.string(), z.union([z.string(), z.number()])),
        message: z.string(),
      }),
    ),
    undoneAt: z.string(),
  })
  .meta({ id: 'UndoReport' });

const RunSummary = z
  .object({
    id: z.string(),
    kind: z.enum(KIND_NAMES),
    status: z.enum(STATUSES),
    phase: z.enum(['staging', 'planning', 'applying', 'done']),
    dryRun: z.boolean(),
    actor: z.string().describe('Who started it: a user email, or token:<name>'),
    file: z.object({ name: z.string(), bytes: z.number() }),
    counts: Counts.nullable(),
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
  report: Report.nullable().describe('Once the run has finished (or was rejected)'),
  undo: UndoReport.nullable(),
}).meta({ id: 'ImportRun' });

const Accepted = z
  .object({ id: z.string(), status: z.literal('queued'), location: z.string() })
  .meta({ id: 'ImportAccepted' });

const IdParams = z.object({ id: z.string().describe('The import run id (a UUID)') });

function summary(run: ImportRun) {
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

/** A run of the caller's workspace by its exact id; any other id (another workspace's too) is 404. */
async function runOf(db: Db, workspace: { id: number }, id: string): Promise<ImportRun> {
  const run = await findRun(db, workspace.id, id);
  if (!run || run.publicId !== id) throw new AppError('not_found', `No import ${id}.`);
  return run;
}

/** Upload (streamed to disk, then queued), history, status and report, rows, errors CSV, apply, undo. */
export const importRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/imports',
    {
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
      const auth = authOf(req);
      if (!req.isMultipart()) {
        throw new AppError(
          'invalid_request',
          'Send the file as multipart/form-data.',
          'Fields: kind (and options), then a part named file.',
        );
      }
      const upload = await receiveUpload(app, req.parts());
      try {
        const { kind: kindField, ...fields } = upload.fields;
        const kind = z.enum(KIND_NAMES).safeParse(kindField);
        const options = parseImportOptions(fields);
        if (!kind.success) throw new AppError('invalid_request', `kind: ${kind.error.issues[0]?.message}`);
        const form = { kind: kind.data };
        const { publicId: id } = await createRun(app.db, {
          workspace: auth.workspace,
          kind: form.kind,
          filePath: upload.path,
          fileName: upload.name,
          fileBytes: upload.bytes,
          actor: auth.actor,
          options,
          status: 'queued',
        });
        await app.jobs.enqueue({ workspaceId: auth.workspace.id, runId: id });
        req.log.info({ run: id, kind: form.kind, bytes: upload.bytes }, 'import queued');
        const location = `/api/imports/${id}`;
        return reply.code(202).header('location', location).send({ id, status: 'queued', location });
      } catch (err) {
        fs.rmSync(upload.path, { force: true });
        throw err;
      }
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
      const { workspace } = authOf(req);
      const { limit, offset } = req.query;
      const { items, total } = await listRuns(app.db, workspace.id, { limit, offset });
      return { items: items.map(summary), total, limit, offset };
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
      const { workspace } = authOf(req);
      const run = await runOf(app.db, workspace, req.params.id);
      const finished = run.status !== 'queued' && run.status !== 'running';
      return {
        ...summary(run),
        report: finished ? await buildReport(app.db, run, workspace.slug) : null,
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
          status: z.enum(ROW_STATUSES).optional(),
          after: z.coerce.number().int().min(0).default(0).describe('The last line of the previous page'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                line: z.number(),
                status: z.string(),
                reason: z.string().optional(),
                column: z.string().optional(),
                message: z.string().optional(),
                hint: z.string().optional(),
                values: z.record(z.string(), z.string()).optional(),
                changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).optional(),
              }),
            ),
            nextAfter: z.number().nullable().describe('Pass as `after` for the next page; null at the end'),
          }),
          401: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req) => {
      const { workspace } = authOf(req);
      const run = await runOf(app.db, workspace, req.params.id);
      const { status, after, limit } = req.query;
      const items = await listRowOutcomes(app.db, run.id, {
        status: status === 'duplicate' ? 'duplicate' : status,
        after,
        limit,
        header: run.header,
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
      const { workspace } = authOf(req);
      const run = await runOf(app.db, workspace, req.params.id);
      const body = new PassThrough();
      writeErrorsCsv(app.db, run, body).catch((err: unknown) => body.destroy(err as Error));
      const name = `${path.parse(run.fileName).name}-errors.csv`.replace(/["\\\r\n]/g, '_');
      // Streamed as it is written (Fastify never serializes a stream); the schema documents the text it is.
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(body as unknown as string);
    },
  );

  app.post(
    '/api/imports/:id/apply',
    {
      schema: {
        tags: ['imports'],
        summary: 'Apply a reviewed dry run; 409 if the data it previewed has changed since',
        params: IdParams,
        response: { 202: Accepted, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const auth = authOf(req);
      const dry = await runOf(app.db, auth.workspace, req.params.id);
      const id = await applyDryRun(app, auth, dry);
      await app.jobs.enqueue({ workspaceId: auth.workspace.id, runId: id });
      const location = `/api/imports/${id}`;
      return reply.code(202).header('location', location).send({ id, status: 'queued', location });
    },
  );

  app.post(
    '/api/imports/:id/undo',
    {
      schema: {
        tags: ['imports'],
        summary: 'Undo a completed run: records go back unless they changed since (listed as conflicts)',
        params: IdParams,
        response: { 200: UndoReport, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const { workspace } = authOf(req);
      const run = await runOf(app.db, workspace, req.params.id);
      const report = await app.jobs.undo(workspace.id, run.publicId);
      req.log.info(
        { run: run.publicId, restored: report.restored, removed: report.removed },
        'import undone',
      );
      return report;
    },
  );
};

/** Queues the real run of a completed dry run, if the workspace's data is still what the dry run saw. */
async function applyDryRun(
  app: FastifyInstance,
  auth: { workspace: { id: number; slug: string; name: string }; actor: string },
  dry: ImportRun,
): Promise<string> {
  if (!dry.dryRun) throw new AppError('invalid_state', `Import ${dry.publicId} is not a dry run.`);
  if (dry.status !== 'completed') {
    throw new AppError(
      'invalid_state',
      `Dry run ${dry.publicId} is ${dry.status}; only a completed one applies.`,
    );
  }
  if (dry.appliedRunId) {
    const applied = await findRun(app.db, auth.workspace.id, dry.appliedRunId);
    if (applied && applied.status !== 'failed') {
      throw new AppError(
        'invalid_state',
        `Dry run ${dry.publicId} was applied already, by ${applied.publicId}.`,
      );
    }
  }
  const outdated = () =>
    new AppError(
      'preview_outdated',
      'The data changed after this dry run was made, so what it previewed may no longer hold.',
      'Make a new dry run of the file, review it, and apply that one.',
    );
  if (dry.dataVersion === null || dry.dataVersion !== (await dataVersion(app.db, auth.workspace.id))) {
    throw outdated();
  }
  if (!dry.filePath || !fs.existsSync(dry.filePath)) {
    throw new AppError('invalid_state', 'The file of this dry run is no longer kept.', 'Upload it again.');
  }
  const run = await createRun(app.db, {
    workspace: auth.workspace,
    kind: dry.kind,
    filePath: dry.filePath,
    fileName: dry.fileName,
    fileBytes: dry.fileBytes,
    actor: auth.actor,
    options: { ...dry.options, dryRun: false },
    status: 'queued',
    source: { runId: dry.publicId, dataVersion: dry.dataVersion },
  });
  // Only one apply wins, even when two arrive at once.
  if (!(await claimApply(app.db, dry, run.publicId))) {
    await deleteRun(app.db, run.id);
    throw new AppError('invalid_state', `Dry run ${dry.publicId} is being applied already.`);
  }
  return run.publicId;
}

interface Upload {
  path: string;
  name: string;
  bytes: number;
  fields: Record<string, string>;
}

/**
 * Streams the `file` part to the upload folder (never held in memory; the size limit ends it with 413)
 * and collects the form fields around it.
 */
async function receiveUpload(
  app: FastifyInstance,
  parts: AsyncIterableIterator<import('@fastify/multipart').Multipart>,
): Promise<Upload> {
  const fields: Record<string, string> = {};
  let file: Omit<Upload, 'fields'> | undefined;
  const dir = uploadDir(app.config);
  const target = path.join(dir, `${randomUUID()}.csv`);
  try {
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || file) {
        part.file.resume();
        throw new AppError(
          'invalid_request',
          `Unexpected file part "${part.fieldname}"; send one part named file.`,
        );
      }
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Owner-only: a users file holds passwords until its run is over.
      await pipeline(part.file, fs.createWriteStream(target, { mode: 0o600 }));
      file = { path: target, name: path.basename(part.filename || 'upload.csv'), bytes: part.file.bytesRead };
    }
  } catch (err) {
    fs.rmSync(target, { force: true });
    throw err;
  }
  if (!file) throw new AppError('invalid_request', 'No file: send the CSV in a part named file.');
  return { ...file, fields };
}

/** Adds the upload form (from ImportForm, the schema that checks it) to the generated OpenAPI document. */
export function documentImportUpload<T>(doc: T): T {
  const paths = (doc as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths;
  const post = paths?.['/api/imports']?.post;
  if (post) {
    const form = z.toJSONSchema(ImportForm, { io: 'input', target: 'openapi-3.0' }) as {
      properties: Record<string, unknown>;
      required?: string[];
    };
    post.requestBody = {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: { ...form.properties, file: { type: 'string', format: 'binary' } },
            required: [...(form.required ?? []), 'file'],
          },
        },
      },
    };
  }
  return doc;
}
