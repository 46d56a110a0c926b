import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, type AppErrorCode } from '../errors.js';
import { RateLimited } from '../domain/sessions.js';

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
    return reply.code(STATUS[err.code]).send({
      error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) },
    });
  }
  if (err.code === 'FST_REQ_FILE_TOO_LARGE' || err.statusCode === 413) {
    const limit = req.server.config.maxUploadBytes;
    return reply.code(413).send({
      error: {
        code: 'file_too_large',
        message: `The file is larger than this server accepts (${limit} bytes).`,
        hint: 'Split the file, or raise ROSTER_MAX_UPLOAD_BYTES.',
      },
    });
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return reply.code(err.statusCode).send({
      error: { code: codeOf(err), message: err.message },
    });
  }
  req.log.error({ err }, 'request failed');
  return reply.code(500).send({
    error: { code: 'internal', message: 'Something went wrong on the server; it has been logged.' },
  });
}

function codeOf(err: FastifyError): string {
  if (err.statusCode === 429) return 'too_many_requests';
  if (err.statusCode === 415) return 'unsupported_media_type';
  return 'invalid_request';
}
