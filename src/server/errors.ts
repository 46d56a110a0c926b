import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, type AppErrorCode } from '../errors.js';
import { RateLimited } from '../domain/sessions.js';
import { systemFault } from '../system-faults.js';

/** Every error answer has this body. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe('A stable snake_case code'),
      message: z.string().describe('For people'),
      hint: z.string().optional().describe('How to fix it'),
      issues: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .describe('Each problem of an invalid request'),
    }),
  })
  .meta({ id: 'Error' });

const STATUS: Record<AppErrorCode, number> = {
  usage: 400,
  invalid_request: 400,
  workspace_required: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  already_exists: 409,
  invalid_state: 409,
  preview_outdated: 409,
  in_use: 409,
  too_many_requests: 429,
  config_invalid: 500,
  internal: 500,
  database_busy: 503,
  disk_full: 507,
  storage_unwritable: 503,
  file_missing: 409,
  database_unreachable: 503,
};

/** Maps every error to one JSON shape and status; unexpected errors are logged and answered 500. */
export function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({
      path: [err.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    return reply.code(400).send({
      error: {
        code: 'invalid_request',
        message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        issues,
      },
    });
  }
  if (err instanceof AppError) {
    if (err instanceof RateLimited) reply.header('retry-after', String(err.retryAfterSeconds));
    else if (STATUS[err.code] === 503) reply.header('retry-after', '5');
    return reply.code(STATUS[err.code]).send({
      error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) },
    });
  }
  const multipart = multipartProblem(err);
  if (multipart) {
    return reply.code(400).send({ error: { code: 'invalid_request', ...multipart } });
  }
  if (err.code === 'FST_REQ_FILE_TOO_LARGE') {
    const limit = req.server.config.maxUploadBytes;
    return reply.code(413).send({
      error: {
        code: 'file_too_large',
        message: `The file is larger than this server accepts (${limit} bytes).`,
        hint: 'Split the file, or raise ROSTER_MAX_UPLOAD_BYTES.',
      },
    });
  }
  if (err.statusCode === 413) {
    return reply.code(413).send({
      error: {
        code: 'payload_too_large',
        message: 'The request body is larger than this server accepts for JSON (1 MiB).',
      },
    });
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return reply.code(err.statusCode).send({
      error: { code: codeOf(err), message: err.message },
    });
  }
  const fault = systemFault(err);
  if (fault) {
    req.log.warn({ err }, 'request failed: %s', fault.error.code);
    if (STATUS[fault.error.code] === 503) reply.header('retry-after', '5');
    return reply.code(STATUS[fault.error.code]).send({
      error: { code: fault.error.code, message: fault.error.message, hint: fault.error.hint },
    });
  }
  req.log.error({ err }, 'request failed');
  return reply.code(500).send({
    error: { code: 'internal', message: 'Something went wrong on the server; it has been logged.' },
  });
}

const UPLOAD_HINT = 'Send multipart/form-data: the form fields (kind, options), then one part named file.';

/**
 * What is wrong with an upload's multipart body, in words: @fastify/multipart's limits (which it answers
 * 413, as if the file were too big) and busboy's own errors (plain Errors, which would be a 500).
 */
function multipartProblem(err: FastifyError): { message: string; hint: string } | null {
  const problem = (message: string) => ({ message, hint: UPLOAD_HINT });
  switch (err.code) {
    case 'FST_FILES_LIMIT':
      return problem('The upload has more than one file part; send exactly one, named file.');
    case 'FST_FIELDS_LIMIT':
      return problem('The upload has more than 20 form fields.');
    case 'FST_PARTS_LIMIT':
      return problem('The upload has more than 25 parts.');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return problem('The request is not multipart/form-data.');
    case 'FST_PROTO_VIOLATION':
      return problem('A form field is named like a prototype property (__proto__, constructor).');
  }
  if (err.statusCode === undefined && /^Multipart: |unexpected end of multipart data/i.test(err.message)) {
    return problem(
      /boundary/i.test(err.message)
        ? 'The multipart/form-data request has no boundary in its Content-Type.'
        : 'The multipart body ends before its closing boundary: it was cut off or is malformed.',
    );
  }
  return null;
}

function codeOf(err: FastifyError): string {
  if (err.statusCode === 429) return 'too_many_requests';
  if (err.statusCode === 415) return 'unsupported_media_type';
  return 'invalid_request';
}
