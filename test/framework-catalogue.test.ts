// The framework catalogues: shape, ids, every id a check names, and conformance of the PCI catalogue with Azure
// Policy's built-in "PCI DSS v4.0.1" initiative (real file under ../shared/real; required under CI).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FRAMEWORKS } from '../src/config.js';
import { CATALOGUE_FILES } from '../src/frameworks.js';
import { loadCatalogue } from '../src/rules.js';
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
const gdpr = load('../src/checks/gdpr/framework.yaml');
const soc2 = load('../src/checks/soc2/framework.yaml');

describe('frameworks', () => {
  it('every framework the config accepts has a catalogue', () => {
    expect(Object.keys(CATALOGUE_FILES).sort()).toEqual([...FRAMEWORKS].sort());
  });

  it("every requirement id a check names exists in that framework's catalogue", async () => {
    const catalogues: Record<string, Catalogue> = { 'pci-dss-4.0.1': pci, 'sox-itgc': sox, gdpr, soc2 };
    const { checks } = await loadCatalogue();
    const missing = checks.flatMap((c) =>
      Object.entries(c.requirements).flatMap(([fw, ids]) => {
        const known = new Set(catalogues[fw]?.requirements.map((r) => r.id));
        return ids.filter((id) => !known.has(id)).map((id) => `${c.id}: ${fw} ${id}`);
      }),
    );
    expect(missing).toEqual([]);
  });

  it('every automated or partial GDPR and SOC 2 requirement has at least one check, and no manual one has any', async () => {
    const { checks } = await loadCatalogue();
    const mapped = (fw: string, id: string) => checks.filter((c) => c.requirements[fw]?.includes(id)).length;
    for (const [fw, cat] of [
      ['gdpr', gdpr],
      ['soc2', soc2],
    ] as const) {
      const wrong = cat.requirements
        .filter((r) => (r.automation === 'manual') !== (mapped(fw, r.id) === 0))
        .map((r) => `${fw} ${r.id} (${r.automation}, ${mapped(fw, r.id)} checks)`);
      expect(wrong).toEqual([]);
    }
  });
});

describe.each([
  ['pci', pci, 'pci-dss-4.0.1'],
  ['sox', sox, 'sox-itgc'],
  ['gdpr', gdpr, 'gdpr'],
  ['soc2', soc2, 'soc2'],
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

describe('gdpr catalogue', () => {
  it('uses article references and covers the articles technical controls evidence', () => {
    for (const r of gdpr.requirements) expect(r.id).toMatch(/^\d{1,2}(\(\d\))?(\([a-z]\))?$/);
    const ids = gdpr.requirements.map((r) => r.id);
    for (const id of ['5(1)(e)', '5(1)(f)', '25(1)', '25(2)', '30', '32(1)(a)', '32(1)(b)', '32(1)(c)', '32(1)(d)', '33', '44'])
      expect(ids, id).toContain(id);
    expect(gdpr.requirements.find((r) => r.id === '30')?.automation).toBe('manual');
  });
});

describe('soc2 catalogue', () => {
  it('uses Trust Services Criteria ids and covers CC6 to CC8, A1 and C1', () => {
    for (const r of soc2.requirements) expect(r.id).toMatch(/^(CC[6-8]|A1|C1)\.\d$/);
    const ids = soc2.requirements.map((r) => r.id);
    for (const id of ['CC6.1', 'CC6.6', 'CC6.7', 'CC6.8', 'CC7.1', 'CC7.2', 'CC7.3', 'CC8.1', 'A1.2', 'C1.1', 'C1.2'])
      expect(ids, id).toContain(id);
    expect(soc2.requirements.find((r) => r.id === 'CC6.4')?.automation).toBe('manual');
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
