// Published JSON Schemas are generated from the code that validates or builds the documents, and stay in sync.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_SCHEMAS, schemaText } from '../src/published-schemas.js';
import { ROOT } from './support/cli.js';

describe('published schemas', () => {
  it.each(Object.entries(PUBLISHED_SCHEMAS))('%s is current (regenerate with npm run schemas)', (path, make) => {
    expect(readFileSync(join(ROOT, path), 'utf8')).toBe(schemaText(make));
  });
});
