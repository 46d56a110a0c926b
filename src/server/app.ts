import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/dialect.js';
import type { JobQueue } from '../jobs/queue.js';
import { registerAuth } from './auth.js';
import './context.js';
import { handleError } from './errors.js';
import { documentImportUpload } from './routes/import-upload.js';
import { importRoutes } from './routes/imports.js';
import { kindRoutes } from './routes/kinds.js';
import { mappingRoutes } from './routes/mappings.js';
import { metaRoutes } from './routes/meta.js';
import { sessionRoutes } from './routes/session.js';
import { entityRoutes } from './routes/entities/index.js';
import { exportRoutes } from './routes/exports.js';
import { historyRoutes } from './routes/history.js';
import { personRoutes } from './routes/persons.js';
import { tokenRoutes } from './routes/tokens.js';
import { webRoutes } from './web.js';

export interface AppDeps {
  db: Db;
  config: Config;
  jobs: JobQueue;
  /** pino options, or false for no logs (tests). */
  logger?: boolean | object;
}

/**
 * Where credentials can appear in a log line: a request's headers (Fastify's serializer, and
 * @fastify/multipart's trace of the options it gives busboy, which hold the request's headers).
 */
export const REDACTED_PATHS = ['authorization', 'cookie', 'set-cookie', 'x-csrf-token'].flatMap((h) => [
  `req.headers["${h}"]`,
  `res.headers["${h}"]`,
  `headers["${h}"]`,
  `*.headers["${h}"]`,
]);

/** pino options: the configured level (or the caller's), and credentials redacted at every level. */
function loggerOptions(deps: AppDeps): boolean | object {
  if (deps.logger === false) return false;
  const base = typeof deps.logger === 'object' ? deps.logger : { level: deps.config.logLevel };
  return { ...base, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The caller's X-Request-Id if it is one short token of safe characters; otherwise a fresh UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** The HTTP API of SPEC section 5: JSON everywhere, OpenAPI at /api/openapi.json, auth on every route. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(deps),
    // A request id from the caller's X-Request-Id when it is short and safe, else a new one; every log line
    // and every answer carries it.
    requestIdHeader: false,
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    trustProxy: false,
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url}.` } }),
  );
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('x-content-type-options', 'nosniff');
  });

  app.decorate('db', deps.db);
  app.decorate('config', deps.config);
  app.decorate('jobs', deps.jobs);

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, {
    limits: { fileSize: deps.config.maxUploadBytes, files: 1, fields: 20, fieldSize: 1000, parts: 25 },
  });
  // A ceiling on every route per caller, far above what people and scripts need; sign-in failures have their
  // own, stricter count per account and address (domain/sessions.ts).
  await app.register(fastifyRateLimit, { max: 1200, timeWindow: '1 minute' });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Roster API',
        version: '0.1.0',
        description:
          'Customer contacts, and CSV imports with a report for every row. Every route but /healthz and ' +
          'POST /api/session needs `Authorization: Bearer <workspace API token>` or a session cookie.',
      },
      components: {
        securitySchemes: {
          token: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'roster_session' },
        },
      },
      security: [{ token: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (doc) => documentImportUpload(jsonSchemaTransformObject(doc)),
  });

  registerAuth(app);
  await app.register(metaRoutes);
  await app.register(sessionRoutes);
  await app.register(kindRoutes);
  await app.register(mappingRoutes);
  await app.register(importRoutes);
  await app.register(entityRoutes);
  await app.register(historyRoutes);
  await app.register(personRoutes);
  await app.register(exportRoutes);
  await app.register(tokenRoutes);
  await app.register(webRoutes);
  return app;
}
