import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** CRUD for what imports refer to: customers, contacts, positions, labels, custom fields, users. */
export const entityRoutes: FastifyPluginAsyncZod = async () => {};
