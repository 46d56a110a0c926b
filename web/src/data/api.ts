import { request } from '../api/client';

/**
 * The entity routes of the HTTP API the data pages use, one function each, and the shapes they answer
 * (those of GET /api/openapi.json).
 */

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Customer {
  id: number;
  ref: string;
  name: string;
  erpId: string | null;
  contacts: number;
  createdAt: string;
  updatedAt: string;
}

export interface ContactSummary {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ContactLink {
  customerId: number;
  ref: string;
  name: string;
  position: string | null;
  primary: boolean;
}

export interface Contact extends ContactSummary {
  customers: ContactLink[];
  labels: { id: number; labelId: string; name: string }[];
  fields: Record<string, string>;
}

export interface Position {
  id: number;
  name: string;
  uses: number;
  createdAt: string;
}

export interface Label {
  id: number;
  labelId: string;
  name: string;
  uses: number;
  createdAt: string;
}

export type FieldType = 'text' | 'number' | 'boolean' | 'date';

export interface CustomField {
  id: number;
  variable: string;
  label: string;
  type: FieldType;
  uses: number;
  createdAt: string;
}

export type Role = 'admin' | 'member';

export interface User {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  role: Role;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface HistoryEntry {
  at: string;
  actor: string;
  source: 'import' | 'edit';
  action: 'created' | 'updated' | 'linked' | 'unlinked';
  subject: string | null;
  changes: Record<string, [unknown, unknown]>;
  run: { id: string; kind: string; status: string; fileName: string; line: number } | null;
}

export interface History {
  items: HistoryEntry[];
  more: boolean;
}

export interface ListQuery {
  q?: string;
  limit?: number;
  offset?: number;
  [filter: string]: string | number | undefined;
}

function query(q: ListQuery): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

const id = (n: number) => encodeURIComponent(String(n));

export const listCustomers = (q: ListQuery & { sort?: 'ref' | 'name' }) =>
  request<Page<Customer>>('GET', `/api/customers${query(q)}`);
export const getCustomer = (n: number) => request<Customer>('GET', `/api/customers/${id(n)}`);
export const createCustomer = (body: { ref: string; name: string; erpId?: string | null }) =>
  request<Customer>('POST', '/api/customers', body);
export const updateCustomer = (n: number, body: { ref?: string; name?: string; erpId?: string | null }) =>
  request<Customer>('PATCH', `/api/customers/${id(n)}`, body);
export const deleteCustomer = (n: number) => request<void>('DELETE', `/api/customers/${id(n)}`);
export const customerHistory = (n: number) => request<History>('GET', `/api/customers/${id(n)}/history`);

export const listContacts = (q: ListQuery & { customerId?: number; labelId?: number }) =>
  request<Page<ContactSummary>>('GET', `/api/contacts${query(q)}`);
export const getContact = (n: number) => request<Contact>('GET', `/api/contacts/${id(n)}`);
export interface ContactInput {
  email?: string;
  firstName?: string | null;
  lastName?: string | null;
  labels?: string[];
  fields?: Record<string, string | null>;
}
export const createContact = (body: ContactInput & { email: string }) =>
  request<Contact>('POST', '/api/contacts', body);
export const updateContact = (n: number, body: ContactInput) =>
  request<Contact>('PATCH', `/api/contacts/${id(n)}`, body);
export const deleteContact = (n: number) => request<void>('DELETE', `/api/contacts/${id(n)}`);
export const contactHistory = (n: number) => request<History>('GET', `/api/contacts/${id(n)}/history`);
export const setLink = (contact: number, customer: number, body: { position?: string | null; primary?: boolean }) =>
  request<Contact>('PUT', `/api/contacts/${id(contact)}/customers/${id(customer)}`, body);
export const removeLink = (contact: number, customer: number) =>
  request<void>('DELETE', `/api/contacts/${id(contact)}/customers/${id(customer)}`);

export const listPositions = (q: ListQuery = {}) => request<Page<Position>>('GET', `/api/positions${query(q)}`);
export const createPosition = (name: string) => request<Position>('POST', '/api/positions', { name });
export const renamePosition = (n: number, name: string) =>
  request<Position>('PATCH', `/api/positions/${id(n)}`, { name });
export const deletePosition = (n: number) => request<void>('DELETE', `/api/positions/${id(n)}`);

export const listLabels = (q: ListQuery = {}) => request<Page<Label>>('GET', `/api/labels${query(q)}`);
export const createLabel = (body: { name: string; labelId?: string }) =>
  request<Label>('POST', '/api/labels', body);
export const renameLabel = (n: number, name: string) =>
  request<Label>('PATCH', `/api/labels/${id(n)}`, { name });
export const deleteLabel = (n: number) => request<void>('DELETE', `/api/labels/${id(n)}`);

export const listFields = (q: ListQuery = {}) => request<Page<CustomField>>('GET', `/api/fields${query(q)}`);
export const createField = (body: { variable: string; type: FieldType; label?: string }) =>
  request<CustomField>('POST', '/api/fields', body);
export const updateField = (n: number, body: { variable?: string; label?: string }) =>
  request<CustomField>('PATCH', `/api/fields/${id(n)}`, body);
export const deleteField = (n: number) => request<void>('DELETE', `/api/fields/${id(n)}`);

export const listUsers = (q: ListQuery = {}) => request<Page<User>>('GET', `/api/users${query(q)}`);
export const createUser = (body: {
  email: string;
  password: string;
  firstName?: string | null;
  lastName?: string | null;
  role: Role;
}) => request<User>('POST', '/api/users', body);
export const updateUser = (n: number, body: { role?: Role; active?: boolean; password?: string }) =>
  request<User>('PATCH', `/api/users/${id(n)}`, body);

export const listTokens = () => request<{ items: ApiToken[] }>('GET', '/api/tokens');
export const createToken = (name: string) =>
  request<{ token: string; listed: ApiToken }>('POST', '/api/tokens', { name });
export const revokeToken = (n: number) => request<ApiToken>('DELETE', `/api/tokens/${id(n)}`);

/** A plain link downloads it: the cookie goes with a GET, and the answer is an attachment. */
export const exportUrl = (kind: 'customers' | 'contacts' | 'persons') => `/api/exports/${kind}.csv`;

export interface Person {
  contactId: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  position: string | null;
  primary: boolean;
}
export const listPersons = (customer: number, q: { limit?: number; offset?: number } = {}) =>
  request<Page<Person>>('GET', `/api/customers/${id(customer)}/persons${query(q)}`);
