import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { removeContactLink, setContactLink } from '../../../domain/contact-links.js';
import {
  createContact,
  deleteContact,
  getContact,
  searchContacts,
  updateContact,
} from '../../../domain/contacts.js';
import { authOf } from '../../context.js';
import { ErrorBody } from '../../errors.js';
import {
  IdParams,
  ListQuery,
  NoContent,
  OptionalName,
  pageOf,
  ReadErrors,
  RecordId,
  WriteErrors,
} from './schemas.js';

const ContactFields = {
  id: z.number().int(),
  email: z.string().describe('Unique in any case; stored as written'),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

const ContactSummary = z.object(ContactFields).meta({ id: 'ContactSummary' });

const Contact = z
  .object({
    ...ContactFields,
    customers: z.array(
      z.object({
        customerId: z.number().int(),
        ref: z.string(),
        name: z.string(),
        position: z.string().nullable(),
        primary: z.boolean(),
      }),
    ),
    labels: z.array(z.object({ id: z.number().int(), labelId: z.string(), name: z.string() })),
    fields: z.record(z.string(), z.string()).describe('Custom field values by variable, in stored form'),
  })
  .meta({ id: 'Contact' });

const Labels = z
  .array(z.string().max(200))
  .max(1000)
  .describe('Label names (exact): the labels become these');
const Fields = z
  .record(z.string(), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]))
  .describe('Values by variable, checked by the field’s type as the contacts import does; null clears one');

const LinkParams = z.object({
  id: RecordId.describe('The contact id'),
  customerId: RecordId.describe('The customer id'),
});

const tags = ['contacts'];

/** /api/contacts: contacts with their labels and custom fields, and their links to customers. */
export const contactRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/contacts',
    {
      schema: {
        tags,
        summary: 'Contacts by email; q searches the email and the name',
        querystring: ListQuery.extend({
          customerId: RecordId.optional().describe('Only the persons of this customer'),
          labelId: RecordId.optional().describe('Only the contacts carrying this label (its id)'),
        }),
        response: { 200: pageOf(ContactSummary, 'ContactPage'), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => searchContacts(app.db, authOf(req).workspace.id, req.query),
  );

  app.post(
    '/api/contacts',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Create a contact, with labels and custom field values',
        body: z.strictObject({
          email: z.string().max(254),
          firstName: OptionalName,
          lastName: OptionalName,
          labels: Labels.optional(),
          fields: Fields.optional(),
        }),
        response: { 201: Contact, ...WriteErrors },
      },
    },
    async (req, reply) => {
      const contact = await createContact(app.db, authOf(req).workspace.id, req.body, authOf(req).actor);
      return reply.code(201).header('location', `/api/contacts/${contact.id}`).send(contact);
    },
  );

  app.get(
    '/api/contacts/:id',
    {
      schema: {
        tags,
        summary: 'A contact with its customers, labels and custom field values',
        params: IdParams,
        response: { 200: Contact, ...ReadErrors },
      },
    },
    async (req) => getContact(app.db, authOf(req).workspace.id, req.params.id),
  );

  app.patch(
    '/api/contacts/:id',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Change a contact; labels replaces the set, fields sets the values it names',
        params: IdParams,
        body: z.strictObject({
          email: z.string().max(254).optional(),
          firstName: OptionalName,
          lastName: OptionalName,
          labels: Labels.optional(),
          fields: Fields.optional(),
        }),
        response: { 200: Contact, ...WriteErrors },
      },
    },
    async (req) =>
      updateContact(app.db, authOf(req).workspace.id, req.params.id, req.body, authOf(req).actor),
  );

  app.delete(
    '/api/contacts/:id',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Delete a contact with its customer links, labels and values',
        params: IdParams,
        response: { 204: NoContent, ...WriteErrors },
      },
    },
    async (req, reply) => {
      await deleteContact(app.db, authOf(req).workspace.id, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/api/contacts/:id/customers/:customerId',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Link a contact to a customer, or change the link’s position and primary flag',
        description: 'An absent key keeps its value (a new link: no position, not primary).',
        params: LinkParams,
        body: z.strictObject({
          position: z.string().max(200).nullable().optional().describe('A position name (exact); null: none'),
          primary: z.boolean().optional(),
        }),
        response: { 200: Contact, ...WriteErrors },
      },
    },
    async (req) =>
      setContactLink(
        app.db,
        authOf(req).workspace.id,
        req.params.id,
        req.params.customerId,
        req.body,
        authOf(req).actor,
      ),
  );

  app.delete(
    '/api/contacts/:id/customers/:customerId',
    {
      config: { members: true },
      schema: {
        tags,
        summary: 'Unlink a contact from a customer (both stay)',
        params: LinkParams,
        response: { 204: NoContent, ...WriteErrors },
      },
    },
    async (req, reply) => {
      await removeContactLink(
        app.db,
        authOf(req).workspace.id,
        req.params.id,
        req.params.customerId,
        authOf(req).actor,
      );
      return reply.code(204).send(null);
    },
  );
};
