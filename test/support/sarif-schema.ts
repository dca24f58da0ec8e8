// The vendored OASIS SARIF 2.1.0 schema as an ajv validator (draft-04's root `id` becomes `$id` for ajv 8).
import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

export function sarifValidator() {
  const {
    $schema: _draft,
    id,
    ...schema
  } = JSON.parse(readFileSync(new URL('../fixtures/schemas/sarif-2.1.0.json', import.meta.url), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile({ $id: id, ...schema });
}
