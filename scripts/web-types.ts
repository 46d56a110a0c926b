import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import prettier from 'prettier';
import { openApiDocument } from '../src/server/openapi-document.js';

/** The checked-in types of the web UI, generated from the API's OpenAPI document. */
export const WEB_TYPES = fileURLToPath(new URL('../web/src/api/schema.d.ts', import.meta.url));

/** Generates the web UI's types from the OpenAPI document, formatted as the repository formats them. */
export async function generateWebTypes(): Promise<string> {
  const ast = await openapiTS((await openApiDocument()) as never, { alphabetize: true });
  const source = `${COMMENT_HEADER}// Regenerate with \`npm run web-types\` after changing a route's schemas.\n\n${astToString(ast)}`;
  const options = (await prettier.resolveConfig(WEB_TYPES)) ?? {};
  return prettier.format(source, { ...options, filepath: WEB_TYPES });
}

// `npm run web-types` writes the file; the freshness test (test/unit/web-types.test.ts) compares it.
if (process.argv.includes('--write')) {
  fs.writeFileSync(WEB_TYPES, await generateWebTypes());
  process.stdout.write(`wrote ${path.relative(process.cwd(), WEB_TYPES)}\n`);
}
