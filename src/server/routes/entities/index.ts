import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { contactRoutes } from './contacts.js';
import { customerRoutes } from './customers.js';
import { fieldRoutes } from './fields.js';
import { labelRoutes } from './labels.js';
import { positionRoutes } from './positions.js';
import { userRoutes } from './users.js';

/** CRUD for what imports refer to: customers, contacts, positions, labels, custom fields, users. */
export const entityRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(customerRoutes);
  await app.register(contactRoutes);
  await app.register(positionRoutes);
  await app.register(labelRoutes);
  await app.register(fieldRoutes);
  await app.register(userRoutes);
};
