// The gate over plans where a known-bad value and a value known only after apply sit in the same resource: the
// failure decided on known values stands and blocks; `unknown` is left for verdicts the unknown values could change.
import { describe, expect, it } from 'vitest';
import type { PlanFixture } from './support/fixture-store.js';
import { gateJson as gate, inboundRule as rule } from './support/gate-json.js';
import { ref } from './support/plan-builder.js';

const nsg = (rules: Record<string, unknown>[]): PlanFixture => ({
  type: 'azurerm_network_security_group',
  name: 'db',
  values: { name: 'nsg-db', location: 'westeurope', resource_group_name: 'rg', security_rule: rules },
});
const ip = { type: 'azurerm_public_ip', name: 'app', values: { name: 'pip-app', resource_group_name: 'rg' } };

describe('a known failure beside an unknown value', () => {
  it('NSG: SSH open to the internet blocks although another rule’s source is known only after apply', () => {
    const ssh = rule('allow-ssh', '22', '0.0.0.0/0', 100);
    const sql = rule('allow-sql', '1433', ref('azurerm_public_ip.app'), 110);
    const both = gate([nsg([ssh, sql]), ip], ['--fail-on', 'critical']);
    expect(both.of('nsg-no-internet-ssh-rdp', 'azurerm_network_security_group.db')).toMatchObject({
      status: 'fail',
      blocking: true,
      reason: 'SSH/RDP open to the internet by rule(s): allow-ssh',
    });
    // The database-port verdict does turn on the unknown source: unknown, not a pass and not a block.
    expect(both.of('nsg-no-internet-database-ports', 'azurerm_network_security_group.db')).toMatchObject({
      status: 'unknown',
      blocking: false,
    });
    expect(both.code).toBe(1);
    // Without the SSH rule nothing known decides the SSH check against the unknown 1433 rule: it passes on its port.
    const onlySql = gate([nsg([sql]), ip], ['--fail-on', 'critical']);
    expect(onlySql.of('nsg-no-internet-ssh-rdp', 'azurerm_network_security_group.db')?.status).toBe('pass');
    expect(onlySql.code).toBe(0);
  });

  it('node pools: a pool with public node IPs fails the cluster although another pool’s flag is unknown', () => {
    const cluster = (pools: Record<string, unknown>[]): PlanFixture[] => [
      {
        type: 'azurerm_kubernetes_cluster',
        name: 'aks',
        values: {
          name: 'aks-1',
          location: 'westeurope',
          resource_group_name: 'rg',
          default_node_pool: [{ name: 'system', vm_size: 'Standard_D4s_v5', ...pools[0] }],
        },
      },
      ...pools.slice(1).map((p, i) => ({
        type: 'azurerm_kubernetes_cluster_node_pool',
        name: `user${i}`,
        values: {
          name: `user${i}`,
          kubernetes_cluster_id: ref('azurerm_kubernetes_cluster.aks'),
          vm_size: 'Standard_D4s_v5',
          ...p,
        },
      })),
      ip,
    ];
    const known = { node_public_ip_enabled: true, host_encryption_enabled: false };
    const unknown = {
      node_public_ip_enabled: ref('azurerm_public_ip.app'),
      host_encryption_enabled: ref('azurerm_public_ip.app'),
    };
    const r = gate(cluster([known, unknown]));
    expect(r.of('aks-node-public-ip', 'azurerm_kubernetes_cluster.aks')).toMatchObject({ status: 'fail', blocking: true });
    expect(r.of('aks-encryption-at-host', 'azurerm_kubernetes_cluster.aks')?.status).toBe('fail');
    // Every pool safe but one unknown: the unknown pool could still open it.
    const safe = gate(cluster([{ node_public_ip_enabled: false, host_encryption_enabled: true }, unknown]));
    expect(safe.of('aks-node-public-ip', 'azurerm_kubernetes_cluster.aks')?.status).toBe('unknown');
    expect(safe.of('aks-encryption-at-host', 'azurerm_kubernetes_cluster.aks')?.status).toBe('unknown');
  });

  it('SQL firewall: an allow-all rule fails the server although another rule’s range is known only after apply', () => {
    const server: PlanFixture = {
      type: 'azurerm_mssql_server',
      name: 'main',
      values: {
        name: 'sql-main',
        resource_group_name: 'rg',
        location: 'westeurope',
        version: '12.0',
        minimum_tls_version: '1.2',
      },
    };
    const fw = (name: string, start: string, end: string): PlanFixture => ({
      type: 'azurerm_mssql_firewall_rule',
      name,
      values: { name, server_id: ref('azurerm_mssql_server.main'), start_ip_address: start, end_ip_address: end },
    });
    const r = gate([
      server,
      fw('anywhere', '0.0.0.0', '255.255.255.255'),
      fw('office', ref('azurerm_public_ip.app'), '203.0.113.9'),
      ip,
    ]);
    expect(r.of('sql-no-allow-all-firewall', 'azurerm_mssql_server.main')).toMatchObject({ status: 'fail', blocking: true });
  });

  it('diagnostic settings: a vault whose audit log is shipped passes although another setting’s destination is unknown', () => {
    const vault: PlanFixture = {
      type: 'azurerm_key_vault',
      name: 'kv',
      values: { name: 'kv-1', resource_group_name: 'rg', location: 'westeurope', sku_name: 'standard', tenant_id: '0' },
    };
    const law: PlanFixture = {
      type: 'azurerm_log_analytics_workspace',
      name: 'law',
      values: { name: 'law', resource_group_name: 'rg' },
    };
    const setting = (name: string, workspace: string): PlanFixture => ({
      type: 'azurerm_monitor_diagnostic_setting',
      name,
      values: {
        name,
        target_resource_id: ref('azurerm_key_vault.kv'),
        log_analytics_workspace_id: workspace,
        enabled_log: [{ category: 'AuditEvent' }],
      },
    });
    const existing =
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/central';
    const r = gate([vault, law, setting('to-central', existing), setting('to-new', ref('azurerm_log_analytics_workspace.law'))]);
    expect(r.of('kv-diagnostic-logs', 'azurerm_key_vault.kv')?.status).toBe('pass');
  });
});
