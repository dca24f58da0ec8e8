// Framework catalogues: requirement id → title and how much of it Compline can check.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { UsageError } from './errors.js';

const requirement = z.looseObject({
  id: z.string().min(1),
  title: z.string().min(1),
  automation: z.enum(['automated', 'partial', 'manual']),
  description: z.string().optional(),
  cobit: z.array(z.string()).optional(),
  domain: z.string().optional(),
  /** The group of Azure Policy's initiative for the framework that covers the requirement (policyDefinitionGroupNames). */
  azure_policy_group: z.string().min(1).optional(),
});
const catalogue = z.looseObject({ id: z.string(), title: z.string(), requirements: z.array(requirement).min(1) });

export type Requirement = z.infer<typeof requirement>;
export interface Framework {
  id: string;
  title: string;
  requirements: Requirement[];
  byId: Map<string, Requirement>;
}

/** Catalogue files, relative to the checks folder: one per framework the config accepts. */
export const CATALOGUE_FILES: Record<string, string> = {
  'pci-dss-4.0.1': 'pci/framework.yaml',
  'sox-itgc': 'sox/framework.yaml',
  gdpr: 'gdpr/framework.yaml',
  soc2: 'soc2/framework.yaml',
};

export function loadFrameworks(checksDir: URL): Map<string, Framework> {
  const out = new Map<string, Framework>();
  for (const [id, file] of Object.entries(CATALOGUE_FILES)) {
    const url = new URL(file, checksDir);
    const parsed = catalogue.safeParse(parse(readFileSync(url, 'utf8')));
    if (!parsed.success) throw new UsageError(`${file}: ${parsed.error.issues[0]?.message ?? 'invalid catalogue'}`);
    if (parsed.data.id !== id) throw new UsageError(`${file}: id ${parsed.data.id}, expected ${id}`);
    out.set(id, { ...parsed.data, byId: new Map(parsed.data.requirements.map((r) => [r.id, r])) });
  }
  return out;
}

/** A check's requirement ids in the given frameworks only: what a tenant's outputs show of it. */
export function requirementsIn(
  requirements: Record<string, string[]>,
  frameworkIds: readonly string[],
): Record<string, string[]> {
  return Object.fromEntries(Object.entries(requirements).filter(([fw]) => frameworkIds.includes(fw)));
}
