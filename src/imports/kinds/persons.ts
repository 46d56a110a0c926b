import { checkEmail } from '../../domain/emails.js';
import { checkBoolean } from '../../domain/field-values.js';
import { isProblem, missing } from '../../domain/row-problem.js';
import type { ImportKind } from './kind.js';
import { applyPersonLinks, linksUndo, planPersonLinks } from './person-links.js';

/** `persons`: position and primary flag in one file, as `roster export persons` writes it. */
export const personsKind: ImportKind = {
  name: 'persons',
  options: ['customerKey', 'ignoreCase'],
  summary: 'Set position and primary flag of each person on a customer (what `export persons` writes).',
  columns: [
    { name: 'customer_ref', required: true },
    { name: 'email_address', required: true },
    { name: 'position_name', required: false },
    { name: 'primary', required: false },
  ],
  keyColumns: ['customer_ref', 'email_address'],
  checkRow(cells) {
    const customer = cells.get('customer_ref') ?? '';
    if (customer === '') return missing('customer_ref');
    const email = checkEmail(cells.get('email_address') ?? '', 'email_address');
    if (isProblem(email)) return email;
    const primary = checkBoolean(cells.get('primary') ?? '', 'primary');
    if (isProblem(primary)) return primary;
    // An absent position_name column leaves positions alone; a blank cell in a present column removes one.
    return {
      customer_key: customer,
      email,
      position_name: cells.get('position_name') ?? null,
      primary_value: primary,
    };
  },
  undoTables: { customer_contacts: linksUndo },
  plan: planPersonLinks,
  applyBatch: applyPersonLinks,
};
