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

/** The HTTP API of SPEC section 5: JSON everywhere, OpenAPI at /api/openapi.json, auth on every route. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? { level: deps.config.logLevel },
    // A request id from the caller's X-Request-Id (when sane) or a new one; every log line carries it.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
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
  await app.register(importRoutes);
  await app.register(entityRoutes);
  await app.register(historyRoutes);
  await app.register(personRoutes);
  await app.register(exportRoutes);
  await app.register(tokenRoutes);
  await app.register(webRoutes);
  return app;
}
