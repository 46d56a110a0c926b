import iconv from 'iconv-lite';
import { z } from 'zod';
import { AppError, type AppErrorCode } from '../errors.js';

export const CUSTOMER_KEYS = ['ref', 'erp_id', 'name'] as const;
export type CustomerKey = (typeof CUSTOMER_KEYS)[number];

/** The encodings offered first (the UI's choices); `encoding` takes any name iconv-lite knows. */
export const ENCODINGS = ['utf-8', 'windows-1252', 'latin1', 'utf-16'] as const;

/** What an unknown `encoding` is told. */
export const unknownEncoding = (name: string) =>
  `Unknown encoding "${name}". Use utf-8 (the default), windows-1252, latin1, utf-16, or another name ` +
  'iconv-lite knows, such as shift_jis, euc-jp, gb18030, big5, euc-kr, iso-8859-15, koi8-r or macintosh.';

export const LABEL_MODES = ['add', 'replace'] as const;
export const BLANK_MODES = ['keep', 'clear'] as const;

/** `true` / `false` as a form field gives it, or a boolean as the CLI and a stored run do. */
const flag = z
  .preprocess((v) => (typeof v === 'boolean' ? String(v) : v), z.enum(['true', 'false']))
  .transform((v) => v === 'true');

/** Header cell as written (trimmed) → a column of the kind, or null to leave it out. */
export const ColumnMappingSchema = z.record(z.string().max(500), z.string().max(200).nullable());
export type ColumnMapping = z.infer<typeof ColumnMappingSchema>;

/** A mapping as an object, or as the JSON text of one (a form field gives text). */
const mappingField = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}, ColumnMappingSchema);

/**
 * The options of one import run (SPEC section 5) with their defaults: the one definition the CLI flags, the
 * HTTP upload form, the stored run and the OpenAPI document are read from. A new option is one entry here
 * (and, if only some kinds take it, a name in those kinds' `options`).
 */
export const ImportOptionsSchema = z.object({
  dryRun: flag.default(false).describe('true: check, resolve and report what would happen; change nothing'),
  customerKey: z.enum(CUSTOMER_KEYS).default('ref').describe('Which customer field customer_ref names'),
  ignoreCase: flag.default(false).describe('Accept references that match only when case is ignored'),
  labels: z.enum(LABEL_MODES).default('add').describe('contacts: add labels, or replace the set'),
  blank: z.enum(BLANK_MODES).default('keep').describe('A blank cell keeps the value, or clears it'),
  encoding: z
    .string()
    .max(40)
    .refine((name) => iconv.encodingExists(name), { error: (i) => unknownEncoding(String(i.input)) })
    .optional()
    .describe('Read a file that is not UTF-8 (utf-16, windows-1252, shift_jis, … any name iconv-lite knows)'),
  delimiter: z
    .string()
    .min(1)
    .max(2)
    // Typed on a command line or in a form, a tab is the two characters \t.
    .transform((d) => (d === '\\t' ? '\t' : d))
    .optional()
    .describe('Field separator (default ","; "\\t" for tab)'),
  batchSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1000)
    .describe('Rows per batch; a transaction applies whole batches, about a second of them'),
  ignoreUnknown: flag.optional().describe('Leave out the columns that are not of this import'),
  mapping: mappingField
    .optional()
    .describe(
      'Header cell → column, or null to leave it out (a JSON object; as --map / --mapping FILE.json)',
    ),
  mappingName: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('A mapping saved in the workspace (--mapping NAME)'),
  headerLine: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('The line of the header (default 1)'),
  sheet: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('The sheet of an .xlsx workbook (default: the first)'),
});

/** The options of one import run, every default filled in. */
export type ImportOptions = z.output<typeof ImportOptionsSchema>;
/** The options as given: each may be left out for its default. */
export type ImportOptionsInput = z.input<typeof ImportOptionsSchema>;
export type ImportOptionName = keyof ImportOptions;

/** Options that depend on what a file holds; a kind lists those it takes (`ImportKind.options`). */
export const KIND_OPTIONS = ['customerKey', 'ignoreCase', 'labels', 'blank'] as const;
export type KindOption = (typeof KIND_OPTIONS)[number];

export const DEFAULT_OPTIONS: ImportOptions = Object.freeze(ImportOptionsSchema.parse({}));

/**
 * Checks options given by the CLI, the upload form or a stored run and fills in the defaults. A problem
 * fails with one AppError listing every bad option, each named as the caller's users know it.
 */
export function parseImportOptions(
  input: unknown,
  how: { code?: AppErrorCode; name?: (option: string) => string } = {},
): ImportOptions {
  const parsed = ImportOptionsSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const name = how.name ?? ((option: string) => option);
  throw new AppError(
    how.code ?? 'invalid_request',
    parsed.error.issues.map((i) => `${name(String(i.path[0] ?? 'options'))}: ${i.message}`).join('; '),
  );
}
