import { checkEmail } from '../../domain/emails.js';
import { isProblem, missing } from '../../domain/row-problem.js';
import type { ImportKind } from './kind.js';
import { applyPersonLinks, linksUndo, planPersonLinks } from './person-links.js';

/** `positions`: sets a person's position on a customer; a blank position_name removes it. */
export const positionsKind: ImportKind = {
  name: 'positions',
  options: ['customerKey', 'ignoreCase'],
  summary: "Set each person's position on a customer; a blank position_name removes it.",
  columns: [
    { name: 'customer_ref', required: true },
    { name: 'email_address', required: true },
    { name: 'position_name', required: true },
  ],
  keyColumns: ['customer_ref', 'email_address', 'position_name'],
  checkRow(cells) {
    const customer = cells.get('customer_ref') ?? '';
    if (customer === '') return missing('customer_ref');
    const email = checkEmail(cells.get('email_address') ?? '', 'email_address');
    if (isProblem(email)) return email;
    const position = cells.get('position_name') ?? '';
    return { customer_key: customer, email, position_name: position };
  },
  undoTables: { customer_contacts: linksUndo },
  plan: planPersonLinks,
  applyBatch: applyPersonLinks,
};
