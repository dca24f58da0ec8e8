import { describe, expect, it } from 'vitest';
import { readDocumentBytes } from '../../src/collectors/terraform-state/read-document.js';
import { utf8Text } from '../../src/collectors/utf8-text.js';

describe('utf8Text', () => {
  it('decodes ASCII, multi-byte UTF-8, a BOM and a view into a larger buffer exactly as the UTF-8 decoder does', () => {
    for (const text of ['{"a":1}', '{"location":"Zürich","tags":{"owner":"Łukasz 🚀"}}', '\ufeff{"a":"b"}', '']) {
      const bytes = Buffer.from(text, 'utf8');
      expect(utf8Text(bytes)).toBe(text);
      expect(utf8Text(new Uint8Array(bytes))).toBe(text);
    }
    const big = Buffer.from('xx{"name":"café"}yy', 'utf8');
    expect(utf8Text(big.subarray(2, big.length - 2))).toBe('{"name":"café"}');
  });

  it('keeps non-ASCII tag values of a state', () => {
    const state = {
      version: 4,
      serial: 1,
      lineage: 'l',
      resources: [
        {
          mode: 'managed',
          type: 'azurerm_resource_group',
          name: 'rg',
          provider: 'provider["registry.terraform.io/hashicorp/azurerm"]',
          instances: [{ attributes: { id: '/subscriptions/s/resourceGroups/rg', tags: { Kostenstelle: 'Zürich' } } }],
        },
      ],
    };
    const read = readDocumentBytes(Buffer.from(JSON.stringify(state), 'utf8'));
    if ('problem' in read) throw new Error(read.problem);
    expect(JSON.parse(Buffer.from(read.instances).toString()).tags).toEqual({ Kostenstelle: 'Zürich' });
  });
});
