import type { KindName } from '../types.js';

/**
 * Recognised headers (SPEC section 8): for each kind, the header names that other systems' exports write
 * for one of its columns, with the same meaning. A header cell matches an alias trimmed, in any case, with
 * space, `-`, `_` and `.` treated alike (see {@link headerKey}). Only same-meaning names belong here:
 * `E-mail 2 - Value` (a second address) is not `email`. Where the exports come from is noted per alias.
 */
export type AliasTable = Readonly<Record<string, readonly string[]>>;

const EMAIL = [
  'Email', // HubSpot, Salesforce, Zoho, Mautic, CiviCRM
  'E-mail',
  'Email Address', // Mailchimp, LinkedIn
  'E-mail Address', // Microsoft Outlook
  'E-mail 1 - Value', // Google Contacts (current and older form)
  'Primary Email', // Mozilla Thunderbird
  'Email 1', // Zoho Mail
];
const FIRST_NAME = [
  'First Name', // Google (current), Outlook, Thunderbird, HubSpot, Salesforce, Zoho, Mailchimp, LinkedIn
  'Firstname', // Mautic
  'Given Name', // Google Contacts (older form)
];
const LAST_NAME = [
  'Last Name', // Google (current), Outlook, Thunderbird, HubSpot, Salesforce, Zoho, Mailchimp, LinkedIn
  'Lastname', // Mautic
  'Family Name', // Google Contacts (older form)
  'Surname',
];

/** One declared table per kind, by kind name. */
export const HEADER_ALIASES: Readonly<Record<KindName, AliasTable>> = {
  contacts: { email: EMAIL, first_name: FIRST_NAME, last_name: LAST_NAME },
  users: { email: EMAIL, first_name: FIRST_NAME, last_name: LAST_NAME },
  customers: {
    ref: ['Customer Ref', 'Customer Reference', 'Customer Number', 'Customer No'],
    name: ['Customer Name', 'Company Name', 'Account Name'], // Account Name: Salesforce
    erp_id: ['ERP ID', 'ERP Number'],
  },
  positions: personLinkAliases(),
  'mark-primary': personLinkAliases(),
  'unmark-primary': personLinkAliases(),
  persons: { ...personLinkAliases(), primary: ['Primary Contact', 'Is Primary'] },
};

function personLinkAliases(): AliasTable {
  return {
    customer_ref: ['Customer', 'Customer Ref', 'Customer Reference'],
    email_address: EMAIL.filter((a) => a !== 'Email Address'),
    position_name: ['Position', 'Job Title', 'Role'],
  };
}

/**
 * Headers an export writes under one of the kind's column names with another meaning, declared with the
 * header cell that marks that export: Google Contacts' `Labels` are its groups (`* myContacts ::: Friends`),
 * not Roster labels. Such a cell is read as a column not of the kind (left out, or mapped with --map).
 */
export interface LookAlike {
  exportName: string;
  /** A header cell (compared as aliases are) that only this export writes. */
  marker: string;
  /** Header cells, as the export writes them, that are not the kind's column of that name. */
  columns: readonly string[];
  meaning: string;
}

export const LOOK_ALIKES: Readonly<Partial<Record<KindName, readonly LookAlike[]>>> = {
  contacts: [
    {
      exportName: 'Google Contacts',
      marker: 'E-mail 1 - Value',
      columns: ['Labels'],
      meaning: 'Google Contacts groups such as “* myContacts”',
    },
  ],
};

/** The form in which headers and aliases are compared: trimmed, folded case, runs of space - _ . as one space. */
export function headerKey(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s\-_.]+/gu, ' ')
    .trim();
}
