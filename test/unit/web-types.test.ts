import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateWebTypes, WEB_TYPES } from '../../scripts/web-types.js';

describe('the web UI types', () => {
  it('are what the OpenAPI document generates now (run `npm run web-types` after changing a schema)', async () => {
    const checkedIn = fs.readFileSync(WEB_TYPES, 'utf8');
    expect(checkedIn).toContain("'/api/imports/{id}/apply'");
    expect(checkedIn === (await generateWebTypes()), `${WEB_TYPES} is stale`).toBe(true);
  });
});
