// The two framework catalogues: shape, ids, and conformance of the PCI catalogue with Azure
// Policy's built-in "PCI DSS v4.0.1" initiative (real file under ../shared/real; required under CI).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { itReal, realJson } from './support/real-data.js';

interface Entry {
  id: string;
  title: string;
  automation: string;
  azure_policy_group?: string;
  domain?: string;
  description?: string;
  cobit?: string[];
}
interface Catalogue {
  id: string;
  title: string;
  publisher: string;
  requirements: Entry[];
}

const AUTOMATION = ['automated', 'partial', 'manual'];
const SOX_DOMAINS = ['access-to-programs-and-data', 'program-change', 'computer-operations', 'logging-monitoring-retention'];

function load(rel: string): Catalogue {
  return parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as Catalogue;
}

const pci = load('../src/checks/pci/framework.yaml');
const sox = load('../src/checks/sox/framework.yaml');

describe.each([
  ['pci', pci, 'pci-dss-4.0.1'],
  ['sox', sox, 'sox-itgc'],
] as const)('%s catalogue', (_name, cat, id) => {
  it('parses with its framework id, title, publisher and requirements', () => {
    expect(cat.id).toBe(id);
    expect(cat.title).toEqual(expect.any(String));
    expect(cat.publisher).toEqual(expect.any(String));
    expect(Array.isArray(cat.requirements)).toBe(true);
    expect(cat.requirements.length).toBeGreaterThan(0);
  });

  it('has unique string ids', () => {
    const ids = cat.requirements.map((r) => r.id);
    for (const i of ids) expect(typeof i).toBe('string');
    const dupes = ids.filter((i, n) => ids.indexOf(i) !== n);
    expect(dupes).toEqual([]);
  });

  it('gives every entry a non-empty title and a valid automation level', () => {
    for (const r of cat.requirements) {
      expect(typeof r.title, r.id).toBe('string');
      expect(r.title.trim().length, r.id).toBeGreaterThan(0);
      expect(AUTOMATION, r.id).toContain(r.automation);
    }
  });
});

describe('pci catalogue', () => {
  const ids = new Set(pci.requirements.map((r) => r.id));

  it('has all 12 principal requirements', () => {
    for (let n = 1; n <= 12; n++) expect(ids, `requirement ${n}`).toContain(String(n));
  });

  it('uses dotted numeric ids whose principal requirement exists', () => {
    for (const r of pci.requirements) {
      expect(r.id).toMatch(/^\d{1,2}(\.\d{1,2})*$/);
      const principal = r.id.split('.')[0] ?? '';
      expect(ids, `parent of ${r.id}`).toContain(principal);
    }
  });

  it('names Azure policy groups only in the v4.0.1 initiative format, matching the entry id', () => {
    for (const r of pci.requirements) {
      if (r.azure_policy_group === undefined) continue;
      expect(r.azure_policy_group).toBe(`PCI_DSS_v4.0.1_${r.id}`);
    }
  });

  it('treats physical and organisational requirements (9, 12) as manual', () => {
    const wrong = pci.requirements.filter((r) => /^(9|12)(\.|$)/.test(r.id) && r.automation !== 'manual');
    expect(wrong.map((r) => r.id)).toEqual([]);
  });
});

describe('sox catalogue', () => {
  it('uses ITGC ids, a known domain matching the id, and COBIT 2019 references', () => {
    const prefix: Record<string, string> = {
      AC: 'access-to-programs-and-data',
      PC: 'program-change',
      CO: 'computer-operations',
      LM: 'logging-monitoring-retention',
    };
    for (const r of sox.requirements) {
      const m = /^ITGC-(AC|PC|CO|LM)-\d\d$/.exec(r.id);
      expect(m, r.id).not.toBeNull();
      expect(SOX_DOMAINS, r.id).toContain(r.domain);
      expect(r.domain, r.id).toBe(prefix[m?.[1] ?? '']);
      expect(r.description?.trim().length ?? 0, r.id).toBeGreaterThan(0);
      expect(Array.isArray(r.cobit) && r.cobit.length > 0, r.id).toBe(true);
      for (const c of r.cobit ?? []) expect(c, r.id).toMatch(/^(EDM|APO|BAI|DSS|MEA)\d\d\.\d\d$/);
    }
  });
});

// Conformance with real data: Azure Policy's built-in initiative, read-only from ../shared/real.
const INITIATIVE = 'g_policy_initiative/PCI_DSS_v4.0.1.json';

describe('pci catalogue against Azure Policy built-in "PCI DSS v4.0.1"', () => {
  const groups = (): Set<string> => {
    const doc = realJson(INITIATIVE) as {
      properties: { policyDefinitionGroups: { name: string }[] };
    };
    return new Set(doc.properties.policyDefinitionGroups.map((g) => g.name));
  };

  itReal([INITIATIVE], 'every azure_policy_group exists in the initiative', () => {
    const known = groups();
    const unknown = pci.requirements
      .map((r) => r.azure_policy_group)
      .filter((g): g is string => g !== undefined && !known.has(g));
    expect(unknown).toEqual([]);
  });

  itReal([INITIATIVE], 'names the group wherever the initiative has one for the requirement', () => {
    const known = groups();
    const omitted = pci.requirements
      .filter((r) => known.has(`PCI_DSS_v4.0.1_${r.id}`) && r.azure_policy_group === undefined)
      .map((r) => r.id);
    expect(omitted).toEqual([]);
  });

  itReal([INITIATIVE], 'covers every group of the initiative, so every policy state maps to a requirement', () => {
    const ids = new Set(pci.requirements.map((r) => r.id));
    const uncovered = [...groups()].map((g) => g.replace(/^PCI_DSS_v4\.0\.1_/, '')).filter((id) => !ids.has(id));
    expect(uncovered).toEqual([]);
  });

  itReal([INITIATIVE], 'has at least 40 automated or partial requirements that Azure also groups', () => {
    const known = groups();
    const shared = pci.requirements.filter((r) => r.automation !== 'manual' && known.has(`PCI_DSS_v4.0.1_${r.id}`));
    expect(shared.length).toBeGreaterThanOrEqual(40);
  });
});
