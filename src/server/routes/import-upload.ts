import type { Multipart } from '@fastify/multipart';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { ImportOptionsSchema, parseImportOptions } from '../../imports/import-options.js';
import type { ImportFile } from '../../imports/service/import-service.js';
import { removeUpload, storeUpload } from '../../imports/service/uploads.js';
import type { Db } from '../../db/dialect.js';
import { cleanFileName } from '../file-names.js';
import { KIND_NAMES } from '../../imports/types.js';

/** The form fields of an upload (multipart/form-data, beside the `file` part): the kind and its options. */
export const ImportForm = z
  .object({ kind: z.enum(KIND_NAMES).describe('What the file holds') })
  .extend(ImportOptionsSchema.shape);

/**
 * Streams the `file` part where uploads wait (the upload folder, or the database on PostgreSQL; never held
 * in memory; the size limit ends it with 413),
 * collects the form fields around it, and reads them: the file to import.
 */
export async function receiveUpload(
  deps: { db: Db; config: { dataDir: string } },
  parts: AsyncIterableIterator<Multipart>,
): Promise<ImportFile> {
  const fields: Record<string, string> = {};
  let file: { path: string; name: string; bytes: number } | undefined;
  try {
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || file) {
        part.file.resume();
        throw new AppError(
          'invalid_request',
          `Unexpected file part "${part.fieldname}"; send one part named file.`,
        );
      }
      const stored = await storeUpload(deps, part.file);
      file = { ...stored, name: cleanFileName(part.filename) };
    }
    if (!file) throw new AppError('invalid_request', 'No file: send the CSV in a part named file.');
    const { kind, ...options } = fields;
    const parsedKind = ImportForm.shape.kind.safeParse(kind);
    if (!parsedKind.success) {
      throw new AppError('invalid_request', `kind: ${parsedKind.error.issues[0]?.message ?? 'invalid'}`);
    }
    return { ...file, kind: parsedKind.data, options: parseImportOptions(options) };
  } catch (err) {
    if (file) await removeUpload(deps, file.path);
    throw err;
  }
}

/** Adds the upload form (from ImportForm, the schema that checks it) to the generated OpenAPI document. */
export function documentImportUpload<T>(doc: T): T {
  const paths = (doc as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths;
  // The mapping proposal (routes/mappings.ts) reads the same form.
  for (const post of [paths?.['/api/imports']?.post, paths?.['/api/mappings/propose']?.post]) {
    if (!post) continue;
    const form = z.toJSONSchema(ImportForm, { io: 'input', target: 'openapi-3.0' }) as {
      properties: Record<string, unknown>;
      required?: string[];
    };
    post.requestBody = {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: { ...form.properties, file: { type: 'string', format: 'binary' } },
            required: [...(form.required ?? []), 'file'],
          },
        },
      },
    };
  }
  return doc;
}
