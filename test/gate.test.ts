// `compline gate` as CI runs it: real plans, exit codes, every output format, bad input, secrets, waivers.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { gateJsonSchema } from '../src/reports/gate/gate-result.js';
import { compline, permissionsApply, ROOT } from './support/cli.js';
import { buildPlan, ref, unchanged } from './support/plan-builder.js';
import { itReal, REAL_DIR } from './support/real-data.js';
import { sarifValidator } from './support/sarif-schema.js';

const Ajv2020 = Ajv2020Module.default;
const dir = mkdtempSync(join(tmpdir(), 'compline-gate-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const planFile = (name: string, plan: unknown) => file(name, JSON.stringify(plan));
const NSG = 'a_terraform_plan/tfcompliance_issue-294_nsg_ssh_rdp_v0.12.plan.json';
const STORAGE = 'a_terraform_plan/tfcompliance_issue-394_storage_tls_public_v0.13.plan.json';
const NSG_PLAN = REAL_DIR + NSG;
const STORAGE_PLAN = REAL_DIR + STORAGE;

const TAGS = {
  CustomerID: 'bank_alpha',
  Environment: 'prod',
  ManagedBy: 'terraform',
  'Compliance-PCI': 'true',
  'Compliance-SOX': 'true',
};
const goodVault = {
  type: 'azurerm_key_vault',
  name: 'kv',
  values: {
    name: 'kv-good',
    tags: TAGS,
    location: 'eastus',
    resource_group_name: 'rg-bank_alpha-prod',
    sku_name: 'standard',
    tenant_id: '00000000-0000-0000-0000-000000000000',
    purge_protection_enabled: true,
    soft_delete_retention_days: 90,
    public_network_access_enabled: false,
    enable_rbac_authorization: true,
    network_acls: [{ default_action: 'Deny', bypass: 'AzureServices', ip_rules: [], virtual_network_subnet_ids: [] }],
  },
};
// A vault with everything a compliant vault needs around it: audit logs to a workspace and a private endpoint.
const vaultCompanions = [
  {
    type: 'azurerm_monitor_diagnostic_setting',
    name: 'kvdiag',
    values: {
      name: 'to-law',
      target_resource_id: ref('azurerm_key_vault.kv'),
      log_analytics_workspace_id:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-log/providers/Microsoft.OperationalInsights/workspaces/law',
      enabled_log: [{ category: 'AuditEvent', category_group: null }],
      metric: [],
    },
  },
  {
    type: 'azurerm_private_endpoint',
    name: 'kvpe',
    values: {
      name: 'pe-kv',
      tags: TAGS,
      location: 'eastus',
      resource_group_name: 'rg-bank_alpha-prod',
      subnet_id:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints',
      private_service_connection: [
        {
          name: 'kv',
          private_connection_resource_id: ref('azurerm_key_vault.kv'),
          subresource_names: ['vault'],
          is_manual_connection: false,
        },
      ],
    },
  },
];
const badVault = {
  ...goodVault,
  name: 'legacy',
  values: { ...goodVault.values, name: 'kv-legacy', purge_protection_enabled: false },
};

function json(args: string[]) {
  const r = compline([...args, '--format', 'json']);
  return { ...r, result: r.stdout ? JSON.parse(r.stdout) : null };
}

describe('real plans', () => {
  itReal([NSG], 'old-format NSG plan: SSH and RDP open to * are critical failures, exit 1', () => {
    const { code, result } = json(['gate', NSG_PLAN]);
    expect(code).toBe(1);
    expect(result.plan.format_version).toBe('0.1');
    const nsg = result.findings.filter((f: { check_id: string }) => f.check_id === 'nsg-no-internet-ssh-rdp');
    expect(nsg.map((f: { address: string; status: string }) => [f.address, f.status])).toEqual([
      ['module.linuxservers-fail.azurerm_network_security_group.vm', 'fail'],
      ['module.windowsservers-pass.azurerm_network_security_group.vm', 'fail'],
    ]);
    expect(nsg.every((f: { blocking: boolean }) => f.blocking)).toBe(true);
  });

  itReal([STORAGE], 'old-format storage plan: TLS1_0 and public blob access are flagged', () => {
    const { code, result } = json(['gate', STORAGE_PLAN]);
    expect(code).toBe(1);
    const failing = result.findings
      .filter((f: { status: string }) => f.status === 'fail')
      .map((f: { check_id: string; address: string }) => `${f.check_id} ${f.address}`);
    expect(failing).toEqual(
      expect.arrayContaining([
        'storage-min-tls azurerm_storage_account.example',
        'storage-min-tls azurerm_storage_account.private',
        'storage-no-public-blob-access azurerm_storage_account.example',
      ]),
    );
    expect(failing).not.toContain('storage-no-public-blob-access azurerm_storage_account.private');
  });

  itReal([NSG], 'the admin password in the NSG plan reaches no output format', () => {
    const planText = readFileSync(NSG_PLAN, 'utf8');
    const passwords = [...planText.matchAll(/"admin_password":\s*"([^"]+)"/g)].map((m) => m[1]!);
    expect(passwords.length).toBeGreaterThan(0);
    for (const format of ['text', 'json', 'sarif', 'junit', 'markdown']) {
      const r = compline(['gate', NSG_PLAN, '--format', format]);
      for (const p of passwords) expect(r.stdout + r.stderr, `${format} leaks the admin password`).not.toContain(p);
    }
  });
});

describe('exit codes and thresholds', () => {
  const plan = planFile('kv.json', buildPlan([goodVault, badVault]).plan);

  it('exit 1 when a failure reaches --fail-on, 0 when the threshold is above it', () => {
    expect(compline(['gate', plan]).code).toBe(1); // purge protection off is high
    expect(compline(['gate', plan, '--fail-on', 'critical']).code).toBe(0);
  });

  it('a compliant plan exits 0 and says so', () => {
    const r = json(['gate', planFile('good.json', buildPlan([goodVault, ...vaultCompanions]).plan)]);
    expect(r.code).toBe(0);
    expect(r.result.summary.blocking).toBe(0);
    expect(r.result.findings.filter((f: { status: string }) => f.status === 'fail')).toEqual([]);
  });

  it('unknown values warn by default and block with --unknown fail', () => {
    const unknownPlan = buildPlan([
      { ...goodVault, values: { ...goodVault.values, purge_protection_enabled: ref('azurerm_key_vault.other') } },
      ...vaultCompanions,
    ]).plan;
    const path = planFile('unknown.json', unknownPlan);
    const warn = json(['gate', path]);
    const f = warn.result.findings.find((x: { check_id: string }) => x.check_id === 'kv-purge-protection');
    expect(f).toMatchObject({
      status: 'unknown',
      reason: 'not known at plan time (known only after apply or marked sensitive): properties.enablePurgeProtection',
      blocking: false,
    });
    expect(warn.code).toBe(0);
    expect(compline(['gate', path, '--unknown', 'fail']).code).toBe(1);
  });

  it('a node pool or add-on attribute unknown until apply leaves verdicts on its other attributes alone', () => {
    const AKS_CHECKS = ['aks-node-public-ip', 'aks-encryption-at-host', 'aks-monitoring-addon', 'aks-azure-policy-addon'];
    const cluster = (pool: Record<string, unknown>) =>
      buildPlan([
        {
          type: 'azurerm_kubernetes_cluster',
          name: 'aks',
          values: {
            name: 'aks-1',
            location: 'westeurope',
            resource_group_name: 'rg',
            default_node_pool: [{ name: 'system', vm_size: 'Standard_D4s_v5', ...pool }],
            // The workspace is created in the same plan: its id is unknown, the add-on's state is not.
            oms_agent: [{ log_analytics_workspace_id: ref('azurerm_log_analytics_workspace.law') }],
            azure_policy_enabled: true,
          },
        },
        { type: 'azurerm_virtual_network', name: 'vnet', values: { name: 'vnet', resource_group_name: 'rg' } },
        { type: 'azurerm_log_analytics_workspace', name: 'law', values: { name: 'law', resource_group_name: 'rg' } },
      ]).plan;
    const verdicts = (pool: Record<string, unknown>) => {
      const r = json(['gate', planFile('aks.json', cluster(pool))]);
      return Object.fromEntries(
        r.result.findings
          .filter((f: { check_id: string }) => AKS_CHECKS.includes(f.check_id))
          .map((f: { check_id: string; status: string }) => [f.check_id, f.status]),
      );
    };
    // The subnet is known only after apply; the flags the checks judge are known.
    const subnet = { vnet_subnet_id: ref('azurerm_virtual_network.vnet') };
    expect(verdicts({ ...subnet, node_public_ip_enabled: true, host_encryption_enabled: true })).toEqual({
      'aks-node-public-ip': 'fail',
      'aks-encryption-at-host': 'pass',
      'aks-monitoring-addon': 'pass',
      'aks-azure-policy-addon': 'pass',
    });
    // A judged flag unknown until apply is unknown, never a pass.
    expect(verdicts({ node_public_ip_enabled: ref('azurerm_virtual_network.vnet'), host_encryption_enabled: false })).toEqual({
      'aks-node-public-ip': 'unknown',
      'aks-encryption-at-host': 'fail',
      'aks-monitoring-addon': 'pass',
      'aks-azure-policy-addon': 'pass',
    });
  });

  it('SQL audit sent to Log Analytics is judged by the workspace, for servers that already exist', () => {
    const server = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1';
    const workspace =
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law';
    const verdict = (days: number) => {
      const plan = {
        format_version: '1.2',
        resource_changes: [
          unchanged('azurerm_mssql_server', 'sql', { id: server, name: 'sql1', resource_group_name: 'rg' }),
          unchanged('azurerm_mssql_server_extended_auditing_policy', 'audit', {
            id: `${server}/extendedAuditingSettings/default`,
            server_id: server,
            enabled: true,
            log_monitoring_enabled: true,
          }),
          unchanged('azurerm_log_analytics_workspace', 'law', { id: workspace, name: 'law', retention_in_days: days }),
          unchanged('azurerm_monitor_diagnostic_setting', 'audit', {
            id: `${server}/databases/master|audit`,
            name: 'audit',
            target_resource_id: `${server}/databases/master`,
            log_analytics_workspace_id: workspace,
            enabled_log: [{ category: 'SQLSecurityAuditEvents', category_group: null }],
          }),
        ],
      };
      const r = json(['gate', planFile('sql-audit.json', plan)]);
      return r.result.findings.find((f: { check_id: string }) => f.check_id === 'sql-audit-retention').status;
    };
    expect(verdict(400)).toBe('pass');
    expect(verdict(90)).toBe('fail');
  });

  it('usage errors exit 2 with one line', () => {
    for (const args of [
      ['gate'],
      ['gate', plan, '--fail-on', 'severe'],
      ['gate', plan, '--format', 'pdf'],
      ['gate', plan, '--output', 'sarif'],
      ['gate', plan, '--tenant', 'x'],
      ['gate', plan, '--bogus'],
    ]) {
      const r = compline(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('bad input: one line, exit 2, never a stack trace', () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ['not-json.json', 'this is not json', /not-json\.json: not JSON/],
    [
      'truncated.json',
      JSON.stringify(buildPlan([goodVault]).plan).slice(0, 300),
      /truncated\.json: .*(truncated|end of (JSON )?input)/i,
    ],
    [
      'state.json',
      JSON.stringify({ format_version: '1.0', terraform_version: '1.9.5', values: { root_module: {} } }),
      /state\.json: a Terraform state, not a plan/,
    ],
    ['no-version.json', JSON.stringify({ planned_values: {} }), /no-version\.json: not a terraform plan \(no format_version\)/],
    [
      'garbage.bin',
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0xff, 0xfe]),
      /garbage\.bin: binary data, not a JSON plan/,
    ],
    ['array.json', '[1,2,3]', /array\.json: /],
    ['empty.json', '', /empty\.json: empty input/],
  ];
  it.each(cases)('%s', (name, content, message) => {
    const r = compline(['gate', file(name, content)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('a 1 GiB file is refused before it is read', () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, '{');
    truncateSync(path, 1024 ** 3);
    const started = Date.now();
    const r = compline(['gate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/huge\.json: 1(\.0)? GiB exceeds the 512 MiB plan size limit/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stdin over the limit is refused too', () => {
    const r = compline(['gate', '-', '--max-plan-size', '1K'], { input: JSON.stringify(buildPlan([goodVault, badVault]).plan) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stdin: input exceeds the 1 KiB plan size limit/);
  });

  it('an unknown format version warns and carries on', () => {
    const plan = { ...buildPlan([badVault]).plan, format_version: '9.9' };
    const r = json(['gate', planFile('future.json', plan)]);
    expect(r.code).toBe(1);
    expect(r.result.warnings.join('\n')).toMatch(/unknown plan format_version "9\.9" .*reading it as 1\.2/);
  });

  it('a plan without Azure resources passes with a note', () => {
    const plan = buildPlan([{ type: 'aws_s3_bucket', values: { bucket: 'b' } }]).plan;
    const r = json(['gate', planFile('aws.json', plan)]);
    expect(r.code).toBe(0);
    expect(r.result.warnings).toContain('no Azure resources in the plan: nothing to evaluate');
    expect(compline(['gate', planFile('aws.json', plan)]).stdout).toMatch(/no Azure resources/);
  });

  it('reads the plan from stdin', () => {
    const r = compline(['gate', '-', '--format', 'json'], { input: JSON.stringify(buildPlan([badVault]).plan) });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).plan.label).toBe('stdin');
  });
});

describe('secrets never leave the plan', () => {
  const planted = ['PLANTED-sql-Pa55w0rd!', 'PLANTED-vm-hunter2', 'PLANTED-kv-secret-value', 'PLANTED-conn-AccountKey=abc123'];
  const plan = buildPlan([
    {
      type: 'azurerm_mssql_server',
      name: 'sql',
      values: {
        name: 'sql-a',
        location: 'eastus',
        resource_group_name: 'rg',
        version: '12.0',
        administrator_login: 'sqladmin',
        administrator_login_password: planted[0],
        public_network_access_enabled: true,
        minimum_tls_version: '1.2',
      },
      sensitive: ['administrator_login_password'],
    },
    {
      type: 'azurerm_linux_virtual_machine',
      name: 'vm',
      values: {
        name: 'vm-a',
        location: 'eastus',
        resource_group_name: 'rg',
        size: 'Standard_D2s_v5',
        admin_username: 'azureuser',
        admin_password: planted[1],
        disable_password_authentication: false,
        encryption_at_host_enabled: false,
      },
    },
    {
      type: 'azurerm_key_vault_secret',
      name: 'secret',
      values: { name: 'db-password', value: planted[2], key_vault_id: ref('azurerm_key_vault.kv') },
      sensitive: ['value'],
    },
    { ...goodVault, values: { ...goodVault.values, tags: { note: planted[3] } }, sensitive: ['tags'] },
  ]).plan;
  const path = planFile('secrets-plan.json', plan);

  it.each(['text', 'json', 'sarif', 'junit', 'markdown'])('%s output carries none of the planted secrets', (format) => {
    const out = join(dir, `secrets-out.${format}`);
    const r = compline(['gate', path, '--format', format, '--output', `${format}=${out}`]);
    expect([0, 1]).toContain(r.code);
    for (const text of [r.stdout, r.stderr, readFileSync(out, 'utf8')]) for (const s of planted) expect(text).not.toContain(s);
  });

  it('a secret known at plan time is itself a finding', () => {
    const r = json(['gate', path]);
    const flagged = r.result.findings
      .filter((f: { check_id: string; status: string }) => f.check_id === 'plan-no-plaintext-secrets' && f.status === 'fail')
      .map((f: { address: string }) => f.address)
      .sort();
    expect(flagged).toEqual(['azurerm_key_vault_secret.secret', 'azurerm_linux_virtual_machine.vm', 'azurerm_mssql_server.sql']);
  });
});

describe('config, tenants and waivers', () => {
  const config = file(
    'compline.yaml',
    `version: 1
tenants:
  - { id: bank_alpha, name: Bank Alpha, tier: enterprise, frameworks: [pci-dss-4.0.1, sox-itgc], environments: [prod] }
  - { id: fintech_gamma, name: Fintech Gamma, tier: premium, frameworks: [gdpr, soc2], environments: [prod], regions: [westeurope] }
  - { id: fintech_delta, name: Fintech Delta, tier: standard, frameworks: [gdpr], environments: [prod] }
waivers:
  - { id: W-ACTIVE, check: kv-purge-protection, resource: "*key_vault.legacy", tenant: bank_alpha, reason: vault retiring, approver: ciso@bank.example, ticket: CHG-1, expires: "2099-01-01" }
  - { id: W-OLD, check: kv-rbac-authorization, resource: "*", reason: old exception, approver: ciso@bank.example, ticket: CHG-0, expires: "2020-01-01" }
`,
  );
  const plan = planFile(
    'tenant.json',
    buildPlan([goodVault, { ...badVault, values: { ...badVault.values, enable_rbac_authorization: false } }]).plan,
  );

  it('an active waiver turns the failure into waived and the gate passes; the expired one is listed', () => {
    const r = json(['gate', plan, '--config', config, '--tenant', 'bank_alpha']);
    const purge = r.result.findings.find(
      (f: { check_id: string; address: string }) =>
        f.check_id === 'kv-purge-protection' && f.address === 'azurerm_key_vault.legacy',
    );
    expect(purge).toMatchObject({ status: 'waived', waiver_id: 'W-ACTIVE', blocking: false });
    expect(r.result.waivers.expired.map((e: { waiver: { id: string } }) => e.waiver.id)).toEqual(['W-OLD']);
    const rbac = r.result.findings.find(
      (f: { check_id: string; address: string }) =>
        f.check_id === 'kv-rbac-authorization' && f.address === 'azurerm_key_vault.legacy',
    );
    expect(rbac.status).toBe('fail');
  });

  it('a GDPR and SOC 2 tenant in West Europe: East US vaults break residency; outputs name its frameworks only', () => {
    const sarif = join(dir, 'gamma.sarif');
    const r = json(['gate', plan, '--config', config, '--tenant', 'fintech_gamma', '--output', `sarif=${sarif}`]);
    expect(r.code).toBe(1);
    expect(r.result.frameworks).toEqual(['gdpr', 'soc2']);
    const residency = r.result.findings
      .filter((f: { check_id: string }) => f.check_id.startsWith('residency-'))
      .map((f: { check_id: string; address: string; status: string }) => `${f.check_id} ${f.address} ${f.status}`)
      .sort();
    expect(residency).toEqual([
      'residency-keyvault-pair azurerm_key_vault.kv fail',
      'residency-keyvault-pair azurerm_key_vault.legacy fail',
      'residency-resource-region azurerm_key_vault.kv fail',
      'residency-resource-region azurerm_key_vault.legacy fail',
    ]);
    const frameworks = new Set(r.result.findings.flatMap((f: { requirements: object }) => Object.keys(f.requirements)));
    expect([...frameworks].sort()).toEqual(['gdpr', 'soc2']);
    const tags = new Set<string>(
      JSON.parse(readFileSync(sarif, 'utf8')).runs[0].tool.driver.rules.flatMap((rule: { properties: { tags: string[] } }) =>
        rule.properties.tags.map((t) => t.split('/')[0]),
      ),
    );
    expect([...tags].sort()).toEqual(['gdpr', 'security', 'soc2']);
  });

  it('a GDPR tenant without regions: every residency verdict is an error, which blocks', () => {
    const r = json(['gate', plan, '--config', config, '--tenant', 'fintech_delta']);
    expect(r.code).toBe(1);
    const residency = r.result.findings.filter((f: { check_id: string }) => f.check_id.startsWith('residency-'));
    expect(residency.length).toBe(4);
    for (const f of residency) {
      expect(f.status).toBe('error');
      expect(f.reason).toBe('tenant fintech_delta has no regions configured (tenants[].regions): residency cannot be judged');
      // At or above the default --fail-on high: the key vault pair check is medium.
      expect(f.blocking, f.check_id).toBe(f.severity === 'high');
    }
    expect(r.result.summary.blocking).toBeGreaterThan(0);
  });

  it('an unknown tenant is a usage error naming the known ones', () => {
    const r = compline(['gate', plan, '--config', config, '--tenant', 'nobody']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tenant nobody: no such tenant .* \(bank_alpha, fintech_gamma, fintech_delta\)/);
  });
});

describe('json output', () => {
  const expectValid = (plan: string) => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(gateJsonSchema());
    const { result } = json(['gate', plan]);
    expect(validate(result), `${plan}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
  };

  it('validates against the published gate result schema', () => {
    expectValid(planFile('schema.json', buildPlan([goodVault, badVault, ...vaultCompanions]).plan));
  });

  itReal([NSG, STORAGE], 'validates against the published gate result schema for the real plans', () => {
    for (const plan of [NSG_PLAN, STORAGE_PLAN]) expectValid(plan);
  });
});

describe('output files', () => {
  it('writes SARIF valid against the SARIF 2.1.0 schema, JUnit and Markdown beside the stdout format', () => {
    const plan = planFile('out.json', buildPlan([goodVault, badVault]).plan);
    const sarif = join(dir, 'out.sarif');
    const junit = join(dir, 'out.xml');
    const md = join(dir, 'out.md');
    const r = compline(['gate', plan, '--output', `sarif=${sarif}`, '--output', `junit=${junit}`, '--output', `markdown=${md}`]);
    expect(r.code).toBe(1);
    const validate = sarifValidator();
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(
      log.runs[0].results.some(
        (x: { ruleId: string; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) =>
          x.ruleId === 'kv-purge-protection' &&
          x.locations[0]?.logicalLocations[0]?.fullyQualifiedName === 'azurerm_key_vault.legacy',
      ),
    ).toBe(true);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testcase classname="kv-purge-protection" name="azurerm_key_vault.legacy"/);
    expect(readFileSync(md, 'utf8')).toMatch(/kv-purge-protection/);
  });
});

describe('output files appear together or not at all; a bad path is exit 2 naming it', () => {
  const plan = planFile('outputs.json', buildPlan([goodVault, badVault]).plan);
  /** A fresh folder holding a regular file, `file`, where a test can put a folder that cannot exist. */
  function workspace(): string {
    const ws = mkdtempSync(join(dir, 'outputs-'));
    writeFileSync(join(ws, 'file'), 'x');
    return ws;
  }
  function refused(args: string[], opts: { unprivileged?: boolean } = {}): string {
    const r = compline(['gate', plan, ...args], opts);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    return r.stderr.trimEnd();
  }

  it('a good output beside a bad one is not written', () => {
    const ws = workspace();
    const bad = join(ws, 'file', 'j.xml');
    expect(refused(['--output', `sarif=${join(ws, 'ok.sarif')}`, '--output', `junit=${bad}`])).toBe(
      `compline: --output junit=${bad}: ${join(ws, 'file')} is not a folder`,
    );
    expect(readdirSync(ws)).toEqual(['file']);
  });

  it('missing folders are created, as run --out does', () => {
    const ws = workspace();
    const r = compline(['gate', plan, '--output', 'sarif=missing/sub/c.sarif', '--output', 'markdown=c.md'], { cwd: ws });
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(join(ws, 'missing/sub/c.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(readdirSync(join(ws, 'missing/sub'))).toEqual(['c.sarif']);
    expect(readFileSync(join(ws, 'c.md'), 'utf8')).toMatch(/kv-purge-protection/);
  });

  it('a relative path names the folder as the user wrote it', () => {
    const ws = workspace();
    const r = compline(['gate', plan, '--output', 'sarif=file/x.sarif'], { cwd: ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('compline: --output sarif=file/x.sarif: file is not a folder\n');
  });

  it('a folder as the output path is refused, and nothing is left beside it', () => {
    const ws = workspace();
    mkdirSync(join(ws, 'reports'));
    expect(refused(['--output', `sarif=${join(ws, 'reports')}`])).toBe(
      `compline: --output sarif=${join(ws, 'reports')}: ${join(ws, 'reports')} is a folder`,
    );
    expect(readdirSync(ws).sort()).toEqual(['file', 'reports']);
  });

  it.skipIf(!permissionsApply())('a folder without write permission is refused before any work', () => {
    const ws = workspace();
    const locked = join(ws, 'locked');
    mkdirSync(locked);
    chmodSync(ws, 0o755);
    chmodSync(dir, 0o755);
    chmodSync(plan, 0o644);
    chmodSync(locked, 0o555);
    const ok = join(ws, 'open');
    mkdirSync(ok, { mode: 0o777 });
    chmodSync(ok, 0o777);
    const args = ['--output', `sarif=${join(ok, 'ok.sarif')}`];
    expect(refused([...args, '--output', `junit=${join(locked, 'j.xml')}`], { unprivileged: true })).toBe(
      `compline: --output junit=${join(locked, 'j.xml')}: ${locked} is not writable`,
    );
    expect(refused([...args, '--output', `junit=${join(locked, 'sub', 'j.xml')}`], { unprivileged: true })).toBe(
      `compline: --output junit=${join(locked, 'sub', 'j.xml')}: cannot create ${join(locked, 'sub')}: ${locked} is not writable`,
    );
    expect(readdirSync(ok)).toEqual([]);
  });

  it('a plan from a pipe still gets its outputs', () => {
    const ws = workspace();
    const sarif = join(ws, 'pipe.sarif');
    const r = spawnSync('bash', ['-c', `node dist/cli.js gate <(cat "$0") --output sarif="$1"`, plan, sarif], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(JSON.parse(readFileSync(sarif, 'utf8')).version).toBe('2.1.0');
  });

  it('the same file twice is refused, however it is spelled', () => {
    const ws = workspace();
    const a = join(ws, 'a.sarif');
    expect(refused(['--output', `sarif=${a}`, '--output', `sarif=${a}`])).toBe(`compline: --output sarif=${a}: given twice`);
    const other = join(ws, '..', basename(ws), 'a.sarif');
    expect(refused(['--output', `sarif=${a}`, '--output', `junit=${other}`])).toBe(
      `compline: --output junit=${other}: the same file as --output sarif=${a}`,
    );
    expect(refused(['--output', `json=${plan}`])).toBe(`compline: --output json=${plan}: the same file as the plan ${plan}`);
    expect(readdirSync(ws)).toEqual(['file']);
  });
});
