import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { gateJsonSchema, renderJson, requirementIds } from '../../../src/reports/gate/gate-result.js';
import { EVIDENCE_MARKER, gateResult } from './gate-fixture.js';

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(gateJsonSchema());
}

describe('renderJson', () => {
  const json = renderJson(gateResult());

  it('validates against gateJsonSchema()', () => {
    const validate = validator();
    const valid = validate(JSON.parse(json));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('round-trips the result exactly, evidence rows included', () => {
    expect(JSON.parse(json)).toEqual(gateResult());
    expect(json).toContain(EVIDENCE_MARKER);
    expect(json.endsWith('}\n')).toBe(true);
  });
});

describe('gateJsonSchema', () => {
  it('is a draft 2020-12 schema that compiles under ajv strict mode', () => {
    expect(gateJsonSchema()).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema' });
    expect(() => validator()).not.toThrow();
  });

  it('rejects drift: an unknown status, a missing field, an extra field, a bad exit code', () => {
    const validate = validator();
    const result = JSON.parse(renderJson(gateResult()));
    const [first, ...rest] = result.findings;
    expect(validate({ ...result, findings: [{ ...first, status: 'skipped' }, ...rest] })).toBe(false);
    const { blocking: _blocking, ...noBlocking } = first;
    expect(validate({ ...result, findings: [noBlocking, ...rest] })).toBe(false);
    expect(validate({ ...result, extra: true })).toBe(false);
    expect(validate({ ...result, exit_code: 2 })).toBe(false);
    expect(validate({ ...result, schema_version: 2 })).toBe(false);
    expect(
      validate({ ...result, waivers: { ...result.waivers, active: [{ ...result.waivers.active[0], expires: 'soon' }] } }),
    ).toBe(false);
  });
});

describe('requirementIds', () => {
  it('qualifies each requirement id with its framework', () => {
    expect(requirementIds({ 'pci-dss-4.0.1': ['3.6.1', '3.7.1'], 'sox-itgc': ['ITGC-CO-02'] })).toEqual([
      'pci-dss-4.0.1/3.6.1',
      'pci-dss-4.0.1/3.7.1',
      'sox-itgc/ITGC-CO-02',
    ]);
  });
});
