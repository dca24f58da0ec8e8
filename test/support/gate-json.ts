// Runs the built gate over a plan made from short resource descriptions and looks verdicts up by check and address.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compline } from './cli.js';
import type { PlanFixture } from './fixture-store.js';
import { buildPlan } from './plan-builder.js';

export interface GateVerdict {
  check_id: string;
  address: string | null;
  status: string;
  blocking: boolean;
  reason: string;
}

const dir = mkdtempSync(join(tmpdir(), 'compline-gate-json-'));
let n = 0;

export function gateJson(resources: PlanFixture[], args: string[] = []) {
  const path = join(dir, `plan-${n++}.json`);
  const plan = JSON.stringify(buildPlan(resources).plan);
  writeFileSync(path, plan);
  const r = compline(['gate', path, '--format', 'json', ...args]);
  const result = JSON.parse(r.stdout) as { findings: GateVerdict[] };
  const of = (check: string, address: string) => result.findings.find((f) => f.check_id === check && f.address === address);
  return { code: r.code, stdout: r.stdout, plan, of };
}

/** An inbound Allow TCP rule of an azurerm_network_security_group, from `source` to `port`. */
export const inboundRule = (name: string, port: string, source: string, priority: number) => ({
  name,
  direction: 'Inbound',
  access: 'Allow',
  protocol: 'Tcp',
  priority,
  source_address_prefix: source,
  source_port_range: '*',
  destination_address_prefix: '*',
  destination_port_range: port,
});
