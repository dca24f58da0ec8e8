// End to end: `compline run` on the bundled demo estate gives the verdicts designed into it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvModule from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportJsonSchema } from '../src/reports/report-schema.js';
import type { TenantReport } from '../src/reports/tenant-report.js';
import { Store } from '../src/store.js';

const Ajv = AjvModule.default;

import { compline, ROOT } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'compline-demo-'));
let stdout = '';
let code: number | null = null;
const reports: Record<string, TenantReport> = {};

/** [pass, fail, error, waived] of one check in one tenant's report. */
function counts(tenant: string, check: string): number[] {
  const f = reports[tenant]!.findings.filter((x) => x.check_id === check);
  return (['pass', 'fail', 'error', 'waived'] as const).map((s) => f.filter((x) => x.status === s).length);
}

beforeAll(() => {
  const r = compline([
    'run',
    '--config',
    'demo/compline.yaml',
    '--out',
    join(work, 'out'),
    '--store',
    join(work, 'store.duckdb'),
  ]);
  stdout = r.stdout;
  code = r.code;
  const [runId] = readdirSync(join(work, 'out'));
  for (const tenant of readdirSync(join(work, 'out', runId!))) {
    reports[tenant] = JSON.parse(readFileSync(join(work, 'out', runId!, tenant, 'report.json'), 'utf8'));
  }
}, 60_000);

describe('demo estate', () => {
  it('runs and prints a per-tenant summary table', () => {
    expect(code).toBe(0);
    // Every demo file is read completely: the run is ok, its error verdicts are counted per framework.
    expect(stdout).toMatch(/^run \d{8}T\d{6}Z-[0-9a-f]{6} \(ok\) → /);
    expect(stdout).toMatch(/tenant\s+framework\s+pass\s+fail\s+error\s+waived\s+unknown/);
    for (const t of ['bank_alpha', 'credit_union_beta', 'fintech_gamma', '_platform']) expect(stdout).toContain(t);
    expect(Object.keys(reports).sort()).toEqual(['_platform', 'bank_alpha', 'credit_union_beta', 'fintech_gamma']);
  });

  it('prints the summary the README shows', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = stdout.slice(stdout.indexOf('tenant ')).trimEnd();
    expect(readme).toContain(`\`\`\`\n${table}\n\`\`\``);
  });

  it('key vault purge protection: the designed mix per tenant', () => {
    expect(counts('bank_alpha', 'kv-purge-protection')).toEqual([9, 5, 3, 0]);
    // WVR-2025-090 expired: kv-cub-dev-3 fails again, and the report lists the expired waiver.
    expect(counts('credit_union_beta', 'kv-purge-protection')).toEqual([6, 4, 2, 0]);
    expect(reports.credit_union_beta!.waivers.expired.map((e) => [e.waiver.id, e.matched])).toEqual([['WVR-2025-090', 1]]);
    expect(counts('_platform', 'kv-purge-protection')).toEqual([1, 1, 1, 0]);
  });

  it('storage minimum TLS: absent is an error, the active waiver shows as waived', () => {
    expect(counts('bank_alpha', 'storage-min-tls')).toEqual([9, 4, 3, 1]);
    const waived = reports.bank_alpha!.findings.find((f) => f.status === 'waived');
    expect(waived).toMatchObject({ check_id: 'storage-min-tls', waiver_id: 'WVR-2026-014' });
    expect(waived?.resource_id).toMatch(/storageaccounts\/stalphadev2$/);
    expect(counts('credit_union_beta', 'storage-min-tls')).toEqual([6, 4, 2, 0]);
  });

  it('storage HTTPS only and NSG internet SSH/RDP', () => {
    expect(counts('bank_alpha', 'storage-https-only')).toEqual([12, 5, 0, 0]);
    expect(counts('credit_union_beta', 'storage-https-only')).toEqual([8, 4, 0, 0]);
    // dev and staging: one good, one bad, one without securityRules each; prod all good.
    expect(counts('bank_alpha', 'nsg-no-internet-ssh-rdp')).toEqual([5, 2, 2, 0]);
    expect(counts('credit_union_beta', 'nsg-no-internet-ssh-rdp')).toEqual([4, 2, 2, 0]);
    expect(counts('bank_alpha', 'aks-rbac-enabled')).toEqual([1, 1, 0, 0]);
  });

  it('Azure SQL: auditing, firewall rules, Entra administrator and TDE per server', () => {
    // bank_alpha: prod audited 400 days to storage, staging 90 days, dev auditing Disabled.
    expect(counts('bank_alpha', 'sql-auditing-enabled')).toEqual([2, 1, 0, 0]);
    expect(counts('bank_alpha', 'sql-audit-retention')).toEqual([1, 2, 0, 0]);
    // dev has allow-all-temp (0.0.0.0–255.255.255.255); dev and staging have AllowAllWindowsAzureIps; prod has no rules.
    expect(counts('bank_alpha', 'sql-no-allow-all-firewall')).toEqual([2, 1, 0, 0]);
    expect(counts('bank_alpha', 'sql-no-azure-services-firewall-rule')).toEqual([1, 2, 0, 0]);
    expect(counts('bank_alpha', 'sql-entra-admin')).toEqual([1, 2, 0, 0]);
    // sqldb-payments: Enabled on prod, Disabled on dev.
    expect(counts('bank_alpha', 'sql-tde-enabled')).toEqual([1, 1, 0, 0]);
    // credit_union_beta: prod audits to a workspace only (its retention is not judged here: error). dev's auditing
    // settings and firewall rules were not listed whole: the Disabled setting and the allow-all rule found cannot
    // show that nothing else exists, so only the allow-all rule's fail stands.
    expect(counts('credit_union_beta', 'sql-auditing-enabled')).toEqual([1, 0, 1, 0]);
    expect(counts('credit_union_beta', 'sql-audit-retention')).toEqual([0, 0, 2, 0]);
    expect(counts('credit_union_beta', 'sql-no-allow-all-firewall')).toEqual([1, 1, 0, 0]);
    expect(counts('credit_union_beta', 'sql-no-azure-services-firewall-rule')).toEqual([0, 1, 1, 0]);
    expect(counts('credit_union_beta', 'sql-entra-admin')).toEqual([1, 1, 0, 0]);
  });

  it('children listed whole and none found pass; children never listed are missing evidence', () => {
    const verdict = (tenant: string, check: string, name: string) => {
      const f = reports[tenant]!.findings.find((x) => x.check_id === check && x.resource_id.endsWith(`/${name}`));
      return `${f?.status}: ${f?.reason}`;
    };
    expect(verdict('bank_alpha', 'sql-no-azure-services-firewall-rule', 'sql-alpha-prod')).toBe('pass: no server firewall rules');
    expect(verdict('credit_union_beta', 'sql-no-azure-services-firewall-rule', 'sql-cub-dev')).toBe(
      'error: firewall rules of this server were not collected',
    );
    expect(verdict('credit_union_beta', 'sql-auditing-enabled', 'sql-cub-dev')).toBe(
      'error: auditing settings of this server were not collected',
    );
    // vaults of the older API shape had no diagnostic settings listed
    expect(verdict('bank_alpha', 'kv-diagnostic-logs', 'kv-alpha-prod-6')).toBe(
      'error: diagnostic settings of this vault were not collected',
    );
    expect(counts('bank_alpha', 'kv-diagnostic-logs')).toEqual([9, 5, 3, 0]);
  });

  it('key vault keys and secrets: expiry set, unset, or attributes missing', () => {
    // Plus one error per vault of the older API shape (three in bank_alpha, two in credit_union_beta), whose keys
    // and secrets were not listed.
    expect(counts('bank_alpha', 'kv-key-expiry')).toEqual([1, 1, 3, 0]);
    expect(counts('bank_alpha', 'kv-secret-expiry')).toEqual([1, 0, 4, 0]);
    expect(counts('credit_union_beta', 'kv-key-expiry')).toEqual([1, 0, 2, 0]);
    expect(counts('credit_union_beta', 'kv-secret-expiry')).toEqual([0, 1, 2, 0]);
  });

  it('audit-log storage lifecycle and log retention', () => {
    // Delete rules after 365 (bank_alpha), exactly 2555 (credit_union_beta) and 2920 days (platform).
    expect(counts('bank_alpha', 'storage-audit-log-lifecycle')).toEqual([0, 1, 0, 0]);
    expect(counts('credit_union_beta', 'storage-audit-log-lifecycle')).toEqual([1, 0, 0, 0]);
    expect(counts('_platform', 'storage-audit-log-lifecycle')).toEqual([1, 0, 0, 0]);
    expect(counts('bank_alpha', 'storage-audit-log-delete-protection')).toEqual([0, 1, 0, 0]);
    expect(counts('credit_union_beta', 'storage-audit-log-delete-protection')).toEqual([1, 0, 0, 0]);
    expect(counts('_platform', 'storage-audit-log-delete-protection')).toEqual([1, 0, 0, 0]);
    // law-alpha-prod 730 days; platform: law-platform 730, law-platform-sandbox 30.
    expect(counts('bank_alpha', 'log-analytics-retention')).toEqual([1, 0, 0, 0]);
    expect(counts('_platform', 'log-analytics-retention')).toEqual([1, 1, 0, 0]);
  });

  it('network: subnets, flow logs and database ports', () => {
    // GatewaySubnet is exempt; one subnet without an NSG per owner.
    expect(counts('bank_alpha', 'subnet-has-nsg')).toEqual([3, 1, 0, 0]);
    expect(counts('credit_union_beta', 'subnet-has-nsg')).toEqual([2, 1, 0, 0]);
    expect(counts('_platform', 'subnet-has-nsg')).toEqual([2, 1, 0, 0]);
    // bank_alpha: 365 days, 30 days, retention disabled. credit_union_beta: 90 days.
    // platform: days 0 (kept forever), and one flow log without a retentionPolicy.
    expect(counts('bank_alpha', 'flow-log-retention')).toEqual([1, 2, 0, 0]);
    expect(counts('credit_union_beta', 'flow-log-retention')).toEqual([0, 1, 0, 0]);
    expect(counts('_platform', 'flow-log-retention')).toEqual([1, 0, 1, 0]);
    // Covered directly (nsg-alpha-prod-0/1, nsg-hub-1) or through a flow log on the subnet's virtual network.
    expect(counts('bank_alpha', 'nsg-flow-logs-enabled')).toEqual([3, 6, 0, 0]);
    expect(counts('credit_union_beta', 'nsg-flow-logs-enabled')).toEqual([2, 6, 0, 0]);
    expect(counts('_platform', 'nsg-flow-logs-enabled')).toEqual([3, 1, 0, 0]);
    // Every 'bad' NSG also opens 1430-1440 (SQL Server's 1433) to any source; same split as SSH/RDP.
    expect(counts('bank_alpha', 'nsg-no-internet-database-ports')).toEqual([5, 2, 2, 0]);
    expect(counts('credit_union_beta', 'nsg-no-internet-database-ports')).toEqual([4, 2, 2, 0]);
  });

  it('virtual machines, NICs and managed disks', () => {
    // vm-alpha-prod-jump: encryption at host, no public IP, CMK disk, DenyAll.
    // vm-alpha-dev-build: flag absent, public IP, platform key, AllowAll.
    expect(counts('bank_alpha', 'vm-encryption-at-host')).toEqual([1, 1, 0, 0]);
    expect(counts('bank_alpha', 'vm-no-public-ip')).toEqual([1, 1, 0, 0]);
    expect(counts('bank_alpha', 'disk-encryption-cmk')).toEqual([1, 1, 0, 0]);
    expect(counts('bank_alpha', 'disk-no-public-network-access')).toEqual([1, 1, 0, 0]);
    // vm-cub-prod-batch: encryptionAtHost explicitly false; disk encrypted through a disk encryption set only.
    expect(counts('credit_union_beta', 'vm-encryption-at-host')).toEqual([0, 1, 0, 0]);
    expect(counts('credit_union_beta', 'disk-encryption-cmk')).toEqual([1, 0, 0, 0]);
    // An old unattached disk listed without encryption or networkAccessPolicy.
    expect(counts('_platform', 'disk-encryption-cmk')).toEqual([0, 0, 1, 0]);
    expect(counts('_platform', 'disk-no-public-network-access')).toEqual([0, 0, 1, 0]);
  });

  it('PostgreSQL, Redis and container registries', () => {
    for (const check of ['postgres-backup-retention', 'postgres-geo-redundant-backup', 'postgres-public-network-access']) {
      expect(counts('bank_alpha', check), check).toEqual([1, 1, 0, 0]);
    }
    // The backup checks carry only SOX requirements, so a PCI-only tenant gets no verdict from them.
    expect(counts('credit_union_beta', 'postgres-backup-retention')).toEqual([0, 0, 0, 0]);
    expect(counts('credit_union_beta', 'postgres-public-network-access')).toEqual([1, 0, 0, 0]);
    // redis-alpha-staging predates minimumTlsVersion (error) and has the non-TLS port open and public access.
    expect(counts('bank_alpha', 'redis-min-tls')).toEqual([1, 0, 1, 0]);
    expect(counts('bank_alpha', 'redis-no-non-ssl-port')).toEqual([1, 1, 0, 0]);
    expect(counts('bank_alpha', 'redis-public-network-access')).toEqual([1, 1, 0, 0]);
    // redis-cub-prod: TLS 1.0, but injected into a subnet, so public access is moot.
    expect(counts('credit_union_beta', 'redis-min-tls')).toEqual([0, 1, 0, 0]);
    expect(counts('credit_union_beta', 'redis-public-network-access')).toEqual([1, 0, 0, 0]);
    // acrcubprod: admin user on, anonymousPullEnabled absent, public without a rule set; the platform's passes all three.
    expect(counts('credit_union_beta', 'acr-admin-user-disabled')).toEqual([0, 1, 0, 0]);
    expect(counts('credit_union_beta', 'acr-anonymous-pull-disabled')).toEqual([0, 0, 1, 0]);
    expect(counts('credit_union_beta', 'acr-public-network-access')).toEqual([0, 1, 0, 0]);
    expect(counts('_platform', 'acr-public-network-access')).toEqual([1, 0, 0, 0]);
  });

  it('subscription-level resources belong to the subscription owner', () => {
    // bank_alpha's subscription: five required Defender plans Standard, Arm Free. The shared and platform
    // subscriptions (no single tenant) have every plan Standard.
    expect(counts('bank_alpha', 'defender-plans-standard')).toEqual([5, 1, 0, 0]);
    expect(counts('_platform', 'defender-plans-standard')).toEqual([12, 0, 0, 0]);
    // Owners: bank_alpha a member user and a service principal at subscription scope, a guest at rg-bank_alpha-dev.
    // Platform: two members, a guest and a foreign group (shared); a group and one without principalType (platform).
    expect(counts('bank_alpha', 'no-guest-owners')).toEqual([2, 1, 0, 0]);
    expect(counts('_platform', 'no-guest-owners')).toEqual([3, 2, 1, 0]);
    // "*" at the shared subscription fails; "*" assignable only at a resource group and a narrow role pass.
    expect(counts('bank_alpha', 'no-custom-role-wildcard')).toEqual([1, 0, 0, 0]);
    expect(counts('_platform', 'no-custom-role-wildcard')).toEqual([1, 1, 0, 0]);
  });

  it('production tags (SOX): every tagged bank_alpha resource passes, Azure-created ones do not', () => {
    // 47 before the services were added (aks-bank-alpha-prod fails: no Compliance tags) plus 19 new tagged
    // resources; NetworkWatcher_eastus, created by Azure without tags, fails.
    expect(counts('bank_alpha', 'sox-production-tags')).toEqual([66, 2, 0, 0]);
  });

  it('activity log export per subscription', () => {
    // bank_alpha sends Administrative, Security and Policy to law-alpha-prod (730 days); the shared
    // subscription omits Policy; the platform subscription sends allLogs to law-platform.
    expect(counts('bank_alpha', 'activity-log-retention')).toEqual([1, 0, 0, 0]);
    expect(counts('_platform', 'activity-log-retention')).toEqual([1, 1, 0, 0]);
  });

  it('Owner count per subscription', () => {
    // Designed: bank_alpha 2 Owners (pass); shared subscription 4 (fail); platform subscription 2 (pass).
    expect(counts('bank_alpha', 'subscription-owner-count')).toEqual([1, 0, 0, 0]);
    expect(counts('_platform', 'subscription-owner-count')).toEqual([1, 1, 0, 0]);
  });

  it('TDE state never collected is missing evidence, not a failure', () => {
    // sqldb-members-dev has no transparentDataEncryption child: fail closed means error.
    expect(counts('credit_union_beta', 'sql-tde-enabled')).toEqual([1, 0, 1, 0]);
  });

  it('every report validates against the published report schema', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(reportJsonSchema());
    for (const [tenant, report] of Object.entries(reports)) {
      expect(validate(report), `${tenant}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  });

  it('GDPR and SOC 2 tenant: scored on its frameworks only, its findings name no PCI or SOX requirement', () => {
    const gamma = reports.fintech_gamma!;
    expect(Object.keys(gamma.frameworks)).toEqual(['gdpr', 'soc2']);
    const named = new Set(gamma.findings.flatMap((f) => Object.keys(f.requirements)));
    expect([...named].sort()).toEqual(['gdpr', 'soc2']);
    // Checks neither framework names (the PCI-only acr-public-network-access, say) give it no finding at all.
    expect(gamma.findings.filter((f) => !f.requirements.gdpr && !f.requirements.soc2)).toEqual([]);
  });

  it('data residency of fintech_gamma (westeurope): the designed verdicts', () => {
    const failing = (check: string) =>
      reports
        .fintech_gamma!.findings.filter((f) => f.check_id === check && f.status === 'fail')
        .map((f) => f.resource_id.replace(/^.*\/(resourcegroups|resourceGroups)\/[^/]+\/providers\//, ''))
        .sort();
    // An analytics workspace and a DR storage account in East US.
    expect(counts('fintech_gamma', 'residency-resource-region')).toEqual([29, 2, 0, 0]);
    expect(failing('residency-resource-region')).toEqual([
      'microsoft.operationalinsights/workspaces/law-gamma-analytics',
      'microsoft.storage/storageaccounts/stgammadr',
    ]);
    // Every account is GRS: West Europe's pair is North Europe (pass); the DR account replicates to West US.
    expect(counts('fintech_gamma', 'residency-storage-replication')).toEqual([11, 1, 0, 0]);
    expect(failing('residency-storage-replication')).toEqual(['microsoft.storage/storageaccounts/stgammadr']);
    // Its own West Europe workspace and the prod vaults' settings logging there pass; the dev vaults still log to the
    // platform's East US workspace, and the analytics workspace is in East US.
    expect(counts('fintech_gamma', 'residency-log-destinations')).toEqual([4, 4, 0, 0]);
    expect(failing('residency-log-destinations')).toEqual([
      'microsoft.keyvault/vaults/kv-gamma-dev-0/providers/microsoft.insights/diagnosticsettings/to-law',
      'microsoft.keyvault/vaults/kv-gamma-dev-1/providers/microsoft.insights/diagnosticsettings/to-law',
      'microsoft.keyvault/vaults/kv-gamma-dev-2/providers/microsoft.insights/diagnosticsettings/to-law',
      'microsoft.operationalinsights/workspaces/law-gamma-analytics',
    ]);
    expect(counts('fintech_gamma', 'residency-keyvault-pair')).toEqual([10, 0, 0, 0]);
    expect(counts('fintech_gamma', 'residency-cosmos-replicas')).toEqual([1, 0, 0, 0]);
    const gdpr = reports.fintech_gamma!.frameworks.gdpr!.requirements.find((r) => r.id === '44');
    expect(gdpr).toMatchObject({ status: 'fail', automation: 'partial' });
  });

  it('residency is judged for tenants whose frameworks ask for it only', () => {
    for (const tenant of ['bank_alpha', 'credit_union_beta', '_platform'])
      expect(
        reports[tenant]!.findings.filter((f) => f.check_id.startsWith('residency-')),
        tenant,
      ).toEqual([]);
  });

  it("the store keeps only findings of checks the tenant's frameworks map", async () => {
    const { loadCatalogue } = await import('../src/rules.js');
    const { Store } = await import('../src/store.js');
    const { byId } = await loadCatalogue();
    const store = await Store.open(join(work, 'store.duckdb'));
    try {
      const rows = await store.read<{ tenant_id: string; check_id: string }>(
        'select distinct f.tenant_id, f.check_id from findings f where f.tenant_id is not null',
      );
      const frameworks: Record<string, string[]> = {
        bank_alpha: ['pci-dss-4.0.1', 'sox-itgc'],
        credit_union_beta: ['pci-dss-4.0.1'],
        fintech_gamma: ['gdpr', 'soc2'],
      };
      const stray = rows.filter((r) => !frameworks[r.tenant_id]!.some((fw) => byId.get(r.check_id)?.requirements[fw]));
      expect(stray).toEqual([]);
      // credit_union_beta is PCI only: the SOX-only backup checks left nothing of it in the store
      expect(rows.filter((r) => r.tenant_id === 'credit_union_beta' && r.check_id.startsWith('postgres-backup'))).toEqual([]);
      expect(rows.some((r) => r.tenant_id === 'fintech_gamma' && r.check_id === 'residency-resource-region')).toBe(true);
    } finally {
      store.close();
    }
  });

  it('tenants never see each other’s resources', () => {
    const owners: Record<string, RegExp> = {
      // bank_alpha owns its whole subscription, so its NetworkWatcherRG flow logs and the subscription-level
      // pricings, role assignments and custom role are its own too.
      // Its two dedicated clusters are wholly its own; on the shared cluster, its labelled namespace.
      bank_alpha:
        /\/resourcegroups\/rg-bank_alpha-|^\/subscriptions\/1f4c2a10-[^/]+(\/(providers|resourcegroups\/networkwatcherrg)\/|$)|^k8s:\/\/aks-bank-alpha-(prod|dev)\/|^k8s:\/\/aks-shared-westus\/(Namespace\/)?gc-bank-alpha-|^iac:\/\/customers\/bank_alpha\//,
      // State checks name the tenant's own state files (iac://<key>).
      // In the shared subscription the tenant's flow log sits in the platform's NetworkWatcherRG, claimed by its CustomerID tag.
      credit_union_beta:
        /\/resourcegroups\/rg-credit_union_beta-|\/resourcegroups\/networkwatcherrg\/.*\/flowlogs\/fl-vnet-cub-prod$|^k8s:\/\/aks-shared-westus\/(Namespace\/)?gc-credit-union-beta-|^iac:\/\/customers\/credit_union_beta\//,
    };
    for (const [tenant, own] of Object.entries(owners)) {
      const text = JSON.stringify(reports[tenant]);
      for (const other of ['bank_alpha', 'credit_union_beta', 'fintech_gamma'].filter((t) => t !== tenant)) {
        expect(text.includes(`rg-${other}-`), `${tenant} report mentions ${other}`).toBe(false);
      }
      for (const f of reports[tenant]!.findings) expect(f.resource_id).toMatch(own);
    }
  });

  it('unassigned resources land in the platform section, never dropped', () => {
    const unassigned = reports._platform!.unassigned!.map((u) => u.id.split('/').pop());
    expect(unassigned).toEqual(expect.arrayContaining(['stlegacyftp', 'kv-legacy-import', 'aks-shared-westus', 'nsg-hub-0']));
    expect(unassigned).not.toContain('stgammaexport'); // claimed by its CustomerID tag
  });

  it('requirements combine the checks with Azure Policy states, as designed in the demo estate', () => {
    const requirement = (tenant: string, id: string) => {
      const q = reports[tenant]!.frameworks['pci-dss-4.0.1']!.requirements.find((x) => x.id === id)!;
      const p = q.azure_policy;
      return [
        q.status,
        q.decided_by,
        q.checks_status,
        p.status,
        p.counts.compliant,
        p.counts.non_compliant,
        p.counts.not_evaluated,
      ];
    };
    // Owners pass the checks, but a standing cluster-admin binding and unused automounted tokens on its clusters fail
    // them; eight of bank_alpha's storage accounts allow public access.
    expect(requirement('bank_alpha', '7.2.5')).toEqual(['fail', 'both', 'fail', 'non_compliant', 9, 8, 0]);
    // HTTPS-only fails in both: the check and secure transfer.
    expect(requirement('bank_alpha', '4.2.1')).toEqual(['fail', 'both', 'fail', 'non_compliant', 12, 5, 0]);
    // The dev cluster's exemption is no evidence; the failing add-on check decides.
    expect(requirement('bank_alpha', '2.2.1')).toEqual(['fail', 'checks', 'fail', 'incomplete', 2, 0, 1]);
    // A manual control of the initiative not yet attested (Unknown) is missing evidence.
    expect(requirement('bank_alpha', '9.4.1.2')).toEqual(['error', 'azure-policy', 'manual', 'incomplete', 0, 0, 1]);
    // No check applies; its VM's management ports are closed. stcubarchive, not in the Resource Graph export, is
    // the tenant's by its resource group.
    expect(requirement('credit_union_beta', '1.2.5')).toEqual([
      'pass_partial',
      'azure-policy',
      'not_applicable',
      'compliant',
      1,
      0,
      0,
    ]);
    expect(requirement('credit_union_beta', '4.2.1')).toEqual(['fail', 'both', 'fail', 'non_compliant', 9, 4, 0]);
    expect(requirement('credit_union_beta', '9.4.1.2')).toEqual(['manual', 'manual', 'manual', 'no_states', 0, 0, 0]);
    // The shared cluster allows a privileged container, which no check can see.
    expect(requirement('_platform', '2.2.1')).toEqual(['fail', 'azure-policy', 'pass_partial', 'non_compliant', 2, 1, 0]);
    expect(requirement('_platform', '5.2.1')).toEqual(['pass_partial', 'both', 'pass_partial', 'compliant', 2, 0, 0]);
    // SOX has no Azure Policy initiative here.
    const sox = reports.bank_alpha!.frameworks['sox-itgc']!.requirements;
    expect(new Set(sox.map((q) => q.azure_policy.status))).toEqual(new Set(['not_mapped']));
  });

  it('requirements: one failing check fails the requirement; requirements without checks say manual', () => {
    const pci = reports.bank_alpha!.frameworks['pci-dss-4.0.1']!;
    const r = Object.fromEntries(pci.requirements.map((x) => [x.id, x]));
    expect(r['3.6.1']?.status).toBe('fail');
    expect(r['3.6.1']?.checks).toContain('kv-purge-protection');
    expect(r['9.4.1']).toMatchObject({ status: 'manual', checks: [] });
  });
});

describe('demo Terraform states', () => {
  it('bank_alpha: one NSG made in the portal, one storage account whose TLS was lowered by hand, one deleted outside the pipeline', () => {
    const failing = (check: string) =>
      reports.bank_alpha!.findings.filter((f) => f.check_id === check && f.status === 'fail').map((f) => f.resource_id);
    expect(counts('bank_alpha', 'iac-unmanaged-resource')).toEqual([63, 1, 0, 0]);
    expect(failing('iac-unmanaged-resource')).toEqual([expect.stringMatching(/networksecuritygroups\/nsg-alpha-prod-2$/)]);
    expect(counts('bank_alpha', 'iac-drift')).toEqual([59, 1, 0, 0]);
    const drift = reports.bank_alpha!.findings.find((f) => f.check_id === 'iac-drift' && f.status === 'fail');
    expect(drift?.reason).toBe(
      'changed outside Terraform: minimumTlsVersion (state customers/bank_alpha/prod/terraform.tfstate, azurerm_storage_account.stalphaprod5)',
    );
    expect(counts('bank_alpha', 'iac-orphaned-state-entry')).toEqual([60, 1, 0, 0]);
    expect(failing('iac-orphaned-state-entry')).toEqual([
      'iac://customers/bank_alpha/prod/terraform.tfstate#azurerm_storage_account.stalphaprod7',
    ]);
    expect(counts('bank_alpha', 'iac-out-of-band-change')).toEqual([1, 1, 0, 0]);
    expect(counts('bank_alpha', 'iac-stale-state')).toEqual([1, 0, 0, 0]);
  });

  it('credit_union_beta: its states track everything it has, and its pipeline made every change: all pass, under PCI DSS 6.5.1', async () => {
    const store = await Store.open(join(work, 'store.duckdb'));
    try {
      const rows = await store.read<{ tenant_id: string; environment: string; n: number }>(
        `select tenant_id, environment, count(*)::integer as n from main.iac_resources group by all order by all`,
      );
      expect(rows).toEqual([
        { tenant_id: 'bank_alpha', environment: 'dev', n: 21 },
        { tenant_id: 'bank_alpha', environment: 'prod', n: 25 },
        { tenant_id: 'bank_alpha', environment: 'staging', n: 15 },
        { tenant_id: 'credit_union_beta', environment: 'dev', n: 18 },
        { tenant_id: 'credit_union_beta', environment: 'prod', n: 23 },
      ]);
    } finally {
      store.close();
    }
    expect(counts('credit_union_beta', 'iac-unmanaged-resource')).toEqual([42, 0, 0, 0]);
    expect(counts('credit_union_beta', 'iac-drift')).toEqual([41, 0, 0, 0]);
    expect(counts('credit_union_beta', 'iac-orphaned-state-entry')).toEqual([41, 0, 0, 0]);
    expect(counts('credit_union_beta', 'iac-out-of-band-change')).toEqual([1, 0, 0, 0]);
    expect(counts('credit_union_beta', 'iac-stale-state')).toEqual([1, 0, 0, 0]);
    // PCI only: the state checks reach it through 6.5.1, and none of its findings names another tenant's state.
    expect(Object.keys(reports.credit_union_beta!.frameworks)).toEqual(['pci-dss-4.0.1']);
    const changes = reports.credit_union_beta!.frameworks['pci-dss-4.0.1']!.requirements.find((q) => q.id === '6.5.1');
    expect(changes?.checks).toEqual(expect.arrayContaining(['iac-unmanaged-resource', 'iac-drift', 'iac-out-of-band-change']));
    const iac = reports.credit_union_beta!.findings.filter((f) => f.check_id.startsWith('iac-'));
    expect(iac.filter((f) => JSON.stringify(f).includes('bank_alpha'))).toEqual([]);
  });
});
