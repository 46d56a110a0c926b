import type { KindName } from '../types.js';
import { contactsKind } from './contacts.js';
import { customersKind } from './customers.js';
import type { ImportKind } from './kind.js';
import { personsKind } from './persons.js';
import { positionsKind } from './positions.js';
import { markPrimaryKind, unmarkPrimaryKind } from './primary.js';
import { usersKind } from './users.js';

/** Every import kind by name. */
export const KINDS: Readonly<Record<KindName, ImportKind>> = {
  customers: customersKind,
  contacts: contactsKind,
  positions: positionsKind,
  'mark-primary': markPrimaryKind,
  'unmark-primary': unmarkPrimaryKind,
  persons: personsKind,
  users: usersKind,
};
