import { checkEmail } from '../../domain/emails.js';
import { isProblem, missing, type RowProblem } from '../../domain/row-problem.js';
import type { Cells } from '../stages/check-row.js';
import type { ImportKind, StagedValues } from './kind.js';
import { applyPersonLinks, linksUndo, planPersonLinks } from './person-links.js';

function checkPerson(cells: Cells, primary: 0 | 1): StagedValues | RowProblem {
  const customer = cells.get('customer_ref') ?? '';
  if (customer === '') return missing('customer_ref');
  const email = checkEmail(cells.get('email_address') ?? '', 'email_address');
  if (isProblem(email)) return email;
  return { customer_key: customer, email, primary_value: primary };
}

const columns = [
  { name: 'customer_ref', required: true },
  { name: 'email_address', required: true },
] as const;

/** `mark-primary`: marks each person primary on the customer. */
export const markPrimaryKind: ImportKind = {
  name: 'mark-primary',
  options: ['customerKey', 'ignoreCase'],
  summary: 'Mark each person as a primary person of the customer.',
  columns,
  keyColumns: ['customer_ref', 'email_address'],
  checkRow: (cells) => checkPerson(cells, 1),
  undoTables: { customer_contacts: linksUndo },
  plan: planPersonLinks,
  applyBatch: applyPersonLinks,
};

/** `unmark-primary`: removes the primary mark. */
export const unmarkPrimaryKind: ImportKind = {
  name: 'unmark-primary',
  options: ['customerKey', 'ignoreCase'],
  summary: 'Remove the primary mark of each person on the customer.',
  columns,
  keyColumns: ['customer_ref', 'email_address'],
  checkRow: (cells) => checkPerson(cells, 0),
  undoTables: { customer_contacts: linksUndo },
  plan: planPersonLinks,
  applyBatch: applyPersonLinks,
};
