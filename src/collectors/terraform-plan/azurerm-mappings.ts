// azurerm resource types → ARM type + ARM `properties`, reading azurerm 2.x, 3.x and 4.x attribute names.
// ARM names follow the REST API (and ../../../shared/real/b_arm_resources); only what the plan says is set:
// an attribute absent from the plan leaves the ARM property absent, an unknown one lands in unknown_paths.
import type { Json } from '../../model.js';
import { AZURERM_WEB_MAPPINGS } from './azurerm-mappings-web.js';
import type { MapContext, RowDraft, TypeMapping } from './map-context.js';
import { type Attrs, first, known, mapVal, type Out, orDefault, type Val } from './plan-values.js';

export type { MapContext, PlanResource, RowDraft, TypeMapping } from './map-context.js';

type Obj = Record<string, Json>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** true → "Enabled", false → "Disabled" (ARM's publicNetworkAccess and friends). */
const ed = (x: Json): Json | undefined => (x === true ? 'Enabled' : x === false ? 'Disabled' : undefined);
const not = (x: Json): Json | undefined => (typeof x === 'boolean' ? !x : undefined);
/** RFC 3339 → epoch seconds, as Key Vault returns `attributes.exp`. */
const epoch = (x: Json): Json | undefined => {
  if (typeof x !== 'string') return undefined;
  const t = Date.parse(x);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
};
/** azurerm 2.x wrote some enum values in lower case (`dynamic`); ARM capitalises them. */
const capitalise = (x: Json): Json | undefined =>
  typeof x === 'string' && x ? x.charAt(0).toUpperCase() + x.slice(1) : undefined;
const strList = (x: Json): Json | undefined => (Array.isArray(x) ? x : undefined);
/** Days attributes use -1 for "not set" in azurerm ≥ 3. */
const days = (x: Json): Json | undefined => (typeof x === 'number' && x >= 0 ? x : undefined);
const idObj = (x: Json): Json | undefined => (typeof x === 'string' ? { id: x } : undefined);
const idObjs = (x: Json): Json | undefined =>
  Array.isArray(x) ? x.filter((v) => typeof v === 'string').map((id) => ({ id })) : undefined;

/** Run `fill` for a block that is present; a block unknown as a whole marks `path` unknown. */
function whenBlock(b: Attrs, o: Out, path: string, fill: () => void): void {
  if (b.wholeUnknown) o.markUnknown(path);
  else if (b.values) fill();
}

/** Each element of a block list as an item of the ARM array at `path`; an unknown list marks `path`. */
function eachBlock(a: Attrs, name: string, o: Out, path: string, fill: (b: Attrs, e: Out) => void): boolean {
  const bs = a.blocks(name);
  if (bs.k === 'unknown') {
    o.markUnknown(path);
    return true;
  }
  if (bs.k === 'known') {
    o.list(path);
    const items = bs.items;
    for (let i = 0; i < items.length; i++) fill(items[i] as Attrs, o.item(path));
  }
  return false;
}

/** Move a merged row's unknown paths under the target's path (`properties.x` → `<to>.x`). */
function rebaseUnknown(own: RowDraft, target: RowDraft, to: string, nameTo?: string): void {
  for (const p of own.unknown) {
    if (p.startsWith('properties.')) target.unknown.add(`${to}.${p.slice('properties.'.length)}`);
    else if (p === 'name' && nameTo) target.unknown.add(nameTo);
  }
}

// ---- shared shapes --------------------------------------------------------------------------------

function securityRuleProperties(o: Out, r: Attrs, c: MapContext): void {
  o.set('priority', r.val('priority'));
  o.set('direction', r.val('direction'), capitalise);
  o.set('access', r.val('access'), capitalise);
  o.set('protocol', r.val('protocol'));
  o.set('sourcePortRange', r.val('source_port_range'));
  o.set('sourcePortRanges', r.val('source_port_ranges'), strList);
  o.set('destinationPortRange', r.val('destination_port_range'));
  o.set('destinationPortRanges', r.val('destination_port_ranges'), strList);
  o.set('sourceAddressPrefix', r.val('source_address_prefix'));
  o.set('sourceAddressPrefixes', r.val('source_address_prefixes'), strList);
  o.set('destinationAddressPrefix', r.val('destination_address_prefix'));
  o.set('destinationAddressPrefixes', r.val('destination_address_prefixes'), strList);
  o.set('sourceApplicationSecurityGroups', c.refs(r, 'source_application_security_group_ids'), idObjs);
  o.set('destinationApplicationSecurityGroups', c.refs(r, 'destination_application_security_group_ids'), idObjs);
  o.set('description', r.val('description'));
}

function storageNetworkAcls(o: Out, pre: string, b: Attrs, c: MapContext): void {
  o.set(`${pre}defaultAction`, b.val('default_action'));
  o.set(`${pre}bypass`, b.val('bypass'), (x) => (Array.isArray(x) ? [...x].sort().join(', ') : x));
  o.set(`${pre}ipRules`, b.val('ip_rules'), (x) =>
    Array.isArray(x) ? x.map((value) => ({ value, action: 'Allow' })) : undefined,
  );
  o.set(`${pre}virtualNetworkRules`, c.refs(b, 'virtual_network_subnet_ids'), (x) =>
    Array.isArray(x) ? x.map((id) => ({ id, action: 'Allow' })) : undefined,
  );
}

/** An AKS node pool: default_node_pool inside the cluster and azurerm_kubernetes_cluster_node_pool alike. */
function agentPool(o: Out, b: Attrs, c: MapContext, system: boolean): void {
  o.set('count', b.val('node_count'));
  o.set('vmSize', b.val('vm_size'));
  if (system) o.put('mode', 'System');
  else o.set('mode', orDefault(b.val('mode'), 'User'));
  o.set('osType', system ? known('Linux') : b.val('os_type'));
  o.set('osSKU', b.val('os_sku'));
  o.set('type', system ? b.val('type') : known('VirtualMachineScaleSets'));
  o.set('enableEncryptionAtHost', b.val('host_encryption_enabled', 'enable_host_encryption'));
  o.set('enableNodePublicIP', b.val('node_public_ip_enabled', 'enable_node_public_ip'));
  o.set('enableAutoScaling', b.val('auto_scaling_enabled', 'enable_auto_scaling'));
  o.set('enableFIPS', b.val('fips_enabled', 'enable_fips'));
  o.set('minCount', b.val('min_count'));
  o.set('maxCount', b.val('max_count'));
  o.set('maxPods', b.val('max_pods'));
  o.set('osDiskSizeGB', b.val('os_disk_size_gb'));
  o.set('osDiskType', b.val('os_disk_type'));
  o.set('kubeletDiskType', b.val('kubelet_disk_type'));
  o.set('orchestratorVersion', b.val('orchestrator_version'));
  o.set('availabilityZones', b.val('zones', 'availability_zones'), strList);
  o.set('vnetSubnetID', c.ref(b, 'vnet_subnet_id'));
  o.set('podSubnetID', c.ref(b, 'pod_subnet_id'));
  o.set('nodeTaints', b.val('node_taints'), strList);
  o.set('scaleSetPriority', b.val('priority'));
  o.set('upgradeSettings.maxSurge', b.block('upgrade_settings').val('max_surge'));
}

function vmCommon(c: MapContext, os: 'Linux' | 'Windows'): void {
  const { a, p } = c;
  p.set('hardwareProfile.vmSize', a.val('size'));
  p.set('securityProfile.encryptionAtHost', a.val('encryption_at_host_enabled'));
  p.set('securityProfile.uefiSettings.secureBootEnabled', a.val('secure_boot_enabled'));
  p.set('securityProfile.uefiSettings.vTpmEnabled', a.val('vtpm_enabled'));
  p.set('osProfile.computerName', a.val('computer_name'));
  p.set('osProfile.adminUsername', a.val('admin_username'));
  if (os === 'Linux') {
    p.set('osProfile.linuxConfiguration.disablePasswordAuthentication', a.val('disable_password_authentication'));
    p.set('osProfile.linuxConfiguration.provisionVMAgent', a.val('provision_vm_agent'));
    p.set('osProfile.linuxConfiguration.patchSettings.patchMode', a.val('patch_mode'));
  } else {
    p.set(
      'osProfile.windowsConfiguration.enableAutomaticUpdates',
      a.val('automatic_updates_enabled', 'enable_automatic_updates'),
    );
    p.set('osProfile.windowsConfiguration.provisionVMAgent', a.val('provision_vm_agent'));
    p.set('osProfile.windowsConfiguration.patchSettings.patchMode', a.val('patch_mode'));
    p.set('osProfile.windowsConfiguration.timeZone', a.val('timezone'));
  }
  const d = a.block('os_disk');
  whenBlock(d, p, 'storageProfile.osDisk', () => {
    p.put('storageProfile.osDisk.osType', os);
    p.set('storageProfile.osDisk.name', d.val('name'));
    p.set('storageProfile.osDisk.caching', d.val('caching'));
    p.set('storageProfile.osDisk.diskSizeGB', d.val('disk_size_gb'));
    p.set('storageProfile.osDisk.writeAcceleratorEnabled', d.val('write_accelerator_enabled'));
    p.set('storageProfile.osDisk.managedDisk.storageAccountType', d.val('storage_account_type'));
    p.set('storageProfile.osDisk.managedDisk.diskEncryptionSet', c.ref(d, 'disk_encryption_set_id'), idObj);
    p.set('storageProfile.osDisk.managedDisk.securityProfile.securityEncryptionType', d.val('security_encryption_type'));
  });
  const img = a.block('source_image_reference');
  whenBlock(img, p, 'storageProfile.imageReference', () => {
    p.set('storageProfile.imageReference.publisher', img.val('publisher'));
    p.set('storageProfile.imageReference.offer', img.val('offer'));
    p.set('storageProfile.imageReference.sku', img.val('sku'));
    p.set('storageProfile.imageReference.version', img.val('version'));
  });
  p.set('storageProfile.imageReference.id', c.ref(a, 'source_image_id'));
  p.set('networkProfile.networkInterfaces', c.refs(a, 'network_interface_ids'), idObjs);
  p.set('diagnosticsProfile.bootDiagnostics.enabled', a.present('boot_diagnostics'));
  p.set('diagnosticsProfile.bootDiagnostics.storageUri', a.block('boot_diagnostics').val('storage_account_uri'));
}

/** Servers' auditing settings (server or database level). */
function auditing(c: MapContext, parentAttr: string): void {
  const { a, p } = c;
  c.parent(c.ref(a, parentAttr));
  const enabled = a.val('enabled');
  // Before azurerm 3.x the policy had no `enabled`: its existence enabled auditing.
  p.set('state', enabled.k === 'absent' ? known(true) : enabled, ed);
  p.set('retentionDays', a.val('retention_in_days'));
  p.set('storageEndpoint', a.val('storage_endpoint'));
  p.set('isAzureMonitorTargetEnabled', a.val('log_monitoring_enabled'));
  p.set('isStorageSecondaryKeyInUse', a.val('storage_account_access_key_is_secondary'));
  p.set('storageAccountSubscriptionId', a.val('storage_account_subscription_id'));
}

/** Associations that set `properties.networkSecurityGroup.id` on what they associate. */
function nsgAssociation(arm: string, targetAttr: string): TypeMapping {
  return {
    arm,
    map(c) {
      c.draft.mergeTarget = c.target(c.a, targetAttr);
      c.parent(c.ref(c.a, targetAttr));
      c.p.set('networkSecurityGroup.id', c.ref(c.a, 'network_security_group_id'));
    },
    merge(target, own) {
      const nsg = own.props.networkSecurityGroup;
      if (nsg !== undefined) target.props.networkSecurityGroup = nsg;
      rebaseUnknown(own, target, 'properties');
    },
    orphan: 'drop',
  };
}

// ---- the table -------------------------------------------------------------------------------------

export const AZURERM_MAPPINGS: Readonly<Record<string, TypeMapping>> = {
  azurerm_resource_group: {
    arm: 'microsoft.resources/resourcegroups',
    map(c) {
      const n = c.a.val('name');
      if (n.k === 'known' && typeof n.v === 'string') c.draft.row.resource_group = n.v.toLowerCase();
    },
  },

  azurerm_key_vault: {
    arm: 'microsoft.keyvault/vaults',
    map({ a, p, sku }) {
      const skuName = a.val('sku_name');
      p.set('sku', skuName, (x) => ({ family: 'A', name: x }));
      sku.set('name', skuName);
      if (skuName.k === 'known') sku.put('family', 'A');
      p.set('tenantId', a.val('tenant_id'));
      p.set('enablePurgeProtection', a.val('purge_protection_enabled'));
      p.set('softDeleteRetentionInDays', a.val('soft_delete_retention_days'));
      p.set('enableSoftDelete', a.val('soft_delete_enabled'));
      p.set('enableRbacAuthorization', a.val('rbac_authorization_enabled', 'enable_rbac_authorization'));
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('enabledForDeployment', a.val('enabled_for_deployment'));
      p.set('enabledForDiskEncryption', a.val('enabled_for_disk_encryption'));
      p.set('enabledForTemplateDeployment', a.val('enabled_for_template_deployment'));
      const acl = a.block('network_acls');
      whenBlock(acl, p, 'networkAcls', () => {
        p.set('networkAcls.defaultAction', acl.val('default_action'));
        p.set('networkAcls.bypass', acl.val('bypass'));
        p.set('networkAcls.ipRules', acl.val('ip_rules'), (x) => (Array.isArray(x) ? x.map((value) => ({ value })) : undefined));
        p.set('networkAcls.virtualNetworkRules', acl.val('virtual_network_subnet_ids'), (x) =>
          Array.isArray(x) ? x.map((id) => ({ id: String(id).toLowerCase() })) : undefined,
        );
      });
      eachBlock(a, 'access_policy', p, 'accessPolicies', (b, e) => {
        e.set('tenantId', b.val('tenant_id'));
        e.set('objectId', b.val('object_id'));
        e.set('applicationId', b.val('application_id'));
        e.set('permissions.keys', b.val('key_permissions'), strList);
        e.set('permissions.secrets', b.val('secret_permissions'), strList);
        e.set('permissions.certificates', b.val('certificate_permissions'), strList);
        e.set('permissions.storage', b.val('storage_permissions'), strList);
      });
    },
  },

  azurerm_key_vault_key: {
    arm: 'microsoft.keyvault/vaults/keys',
    map(c) {
      const { a, p } = c;
      c.parent(c.ref(a, 'key_vault_id'));
      p.set('kty', a.val('key_type'));
      p.set('keySize', a.val('key_size'));
      p.set('curveName', a.val('curve'));
      p.set('keyOps', a.val('key_opts'), strList);
      p.set('attributes.exp', a.val('expiration_date'), epoch);
      p.set('attributes.nbf', a.val('not_before_date'), epoch);
      const rp = a.block('rotation_policy');
      whenBlock(rp, p, 'rotationPolicy', () => {
        p.set('rotationPolicy.attributes.expiryTime', rp.val('expire_after'));
        // automatic {} is the rotate action; its trigger is time_after_creation or time_before_expiry.
        const auto = rp.block('automatic');
        if (auto.wholeUnknown) p.markUnknown('rotationPolicy.lifetimeActions');
        else if (auto.values) {
          const e = p.item('rotationPolicy.lifetimeActions');
          e.put('action.type', 'rotate');
          e.set('trigger.timeAfterCreate', auto.val('time_after_creation'));
          e.set('trigger.timeBeforeExpiry', auto.val('time_before_expiry'));
        } else p.list('rotationPolicy.lifetimeActions');
      });
    },
  },

  azurerm_key_vault_secret: {
    arm: 'microsoft.keyvault/vaults/secrets',
    map(c) {
      const { a, p } = c;
      c.parent(c.ref(a, 'key_vault_id'));
      p.set('contentType', a.val('content_type'));
      p.set('attributes.exp', a.val('expiration_date'), epoch);
      p.set('attributes.nbf', a.val('not_before_date'), epoch);
    },
  },

  azurerm_storage_account: {
    arm: 'microsoft.storage/storageaccounts',
    exportedSecrets: [
      'primary_access_key',
      'secondary_access_key',
      'primary_connection_string',
      'secondary_connection_string',
      'primary_blob_connection_string',
      'secondary_blob_connection_string',
    ],
    map(c) {
      const { a, p, sku } = c;
      p.set('supportsHttpsTrafficOnly', a.val('https_traffic_only_enabled', 'enable_https_traffic_only'));
      p.set('minimumTlsVersion', a.val('min_tls_version'));
      p.set('allowBlobPublicAccess', a.val('allow_nested_items_to_be_public', 'allow_blob_public_access'));
      p.set('allowSharedKeyAccess', a.val('shared_access_key_enabled'));
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('isHnsEnabled', a.val('is_hns_enabled'));
      p.set('accessTier', a.val('access_tier'));
      p.set('allowCrossTenantReplication', a.val('cross_tenant_replication_enabled'));
      p.set('defaultToOAuthAuthentication', a.val('default_to_oauth_authentication'));
      p.set('isSftpEnabled', a.val('sftp_enabled'));
      p.set('isLocalUserEnabled', a.val('local_user_enabled'));
      const rules = a.block('network_rules');
      if (rules.wholeUnknown) {
        p.markUnknown('networkAcls');
        // Computed, not written: a separate azurerm_storage_account_network_rules manages it.
        if (c.isConfigured(['network_rules']) !== true) c.draft.clearedByMerge.push('properties.networkAcls');
      } else if (rules.values) storageNetworkAcls(p, 'networkAcls.', rules, c);
      p.set('encryption.requireInfrastructureEncryption', a.val('infrastructure_encryption_enabled'));
      const cmk = a.blocks('customer_managed_key');
      if (cmk.k === 'unknown') p.markUnknown('encryption.keySource');
      else if (cmk.k === 'known') {
        const k = cmk.items[0];
        p.put('encryption.keySource', k ? 'Microsoft.Keyvault' : 'Microsoft.Storage');
        if (k) p.set('encryption.keyvaultproperties.keyname', k.val('key_vault_key_id'));
      }
      const tier = a.val('account_tier');
      const repl = a.val('account_replication_type');
      if (tier.k === 'known' && repl.k === 'known') sku.put('name', `${tier.v}_${repl.v}`);
      else if (tier.k === 'unknown' || repl.k === 'unknown') sku.markUnknown('name');
      sku.set('tier', tier);
    },
  },

  azurerm_storage_account_network_rules: {
    arm: 'microsoft.storage/storageaccounts/networkrules',
    map(c) {
      const { a, p } = c;
      const byId = c.target(a, 'storage_account_id');
      c.draft.mergeTarget = byId ?? c.targetByName('azurerm_storage_account', 'storage_account_name');
      c.parent(c.ref(a, 'storage_account_id'));
      storageNetworkAcls(p, '', a, c);
    },
    name: () => known('default'),
    merge(target, own) {
      target.props.networkAcls = own.props;
      rebaseUnknown(own, target, 'properties.networkAcls');
    },
    orphan: 'row',
  },

  azurerm_storage_account_customer_managed_key: {
    arm: 'microsoft.storage/storageaccounts/customermanagedkey',
    map(c) {
      c.draft.mergeTarget = c.target(c.a, 'storage_account_id');
      c.p.put('encryption.keySource', 'Microsoft.Keyvault');
      c.p.set('encryption.keyvaultproperties.keyname', c.a.val('key_name'));
      c.p.set('encryption.keyvaultproperties.keyversion', c.a.val('key_version'));
    },
    merge(target, own) {
      const enc = isObj(target.props.encryption) ? target.props.encryption : {};
      target.props.encryption = { ...enc, ...(own.props.encryption as Obj) };
      target.unknown.delete('properties.encryption.keySource');
      rebaseUnknown(own, target, 'properties');
    },
    orphan: 'drop',
  },

  azurerm_storage_container: {
    arm: 'microsoft.storage/storageaccounts/blobservices/containers',
    map(c) {
      const { a, p } = c;
      const id = c.ref(a, 'storage_account_id');
      if (id.k !== 'absent') c.parent(id);
      else {
        const t = c.targetByName('azurerm_storage_account', 'storage_account_name');
        if (t) c.draft.row.parent_id = `plan://${t}`;
      }
      p.set('publicAccess', a.val('container_access_type'), (x) =>
        x === 'private' ? 'None' : x === 'blob' ? 'Blob' : x === 'container' ? 'Container' : x,
      );
    },
  },

  azurerm_storage_management_policy: {
    arm: 'microsoft.storage/storageaccounts/managementpolicies',
    name: () => known('default'),
    map(c) {
      const { a, p } = c;
      c.parent(c.ref(a, 'storage_account_id'));
      eachBlock(a, 'rule', p, 'policy.rules', (r, e) => {
        e.set('name', r.val('name'));
        e.set('enabled', r.val('enabled'));
        e.put('type', 'Lifecycle');
        const f = r.block('filters');
        whenBlock(f, e, 'definition.filters', () => {
          e.set('definition.filters.prefixMatch', f.val('prefix_match'), strList);
          e.set('definition.filters.blobTypes', f.val('blob_types'), strList);
        });
        const act = r.block('actions');
        whenBlock(act, e, 'definition.actions', () => {
          const bb = act.block('base_blob');
          const base = 'definition.actions.baseBlob';
          whenBlock(bb, e, base, () => {
            e.set(
              `${base}.tierToCool.daysAfterModificationGreaterThan`,
              bb.val('tier_to_cool_after_days_since_modification_greater_than'),
              days,
            );
            e.set(
              `${base}.tierToCool.daysAfterLastAccessTimeGreaterThan`,
              bb.val('tier_to_cool_after_days_since_last_access_time_greater_than'),
              days,
            );
            e.set(
              `${base}.tierToArchive.daysAfterModificationGreaterThan`,
              bb.val('tier_to_archive_after_days_since_modification_greater_than'),
              days,
            );
            e.set(
              `${base}.tierToArchive.daysAfterLastAccessTimeGreaterThan`,
              bb.val('tier_to_archive_after_days_since_last_access_time_greater_than'),
              days,
            );
            e.set(
              `${base}.delete.daysAfterModificationGreaterThan`,
              bb.val('delete_after_days_since_modification_greater_than'),
              days,
            );
            e.set(
              `${base}.delete.daysAfterLastAccessTimeGreaterThan`,
              bb.val('delete_after_days_since_last_access_time_greater_than'),
              days,
            );
          });
          const sn = act.block('snapshot');
          whenBlock(sn, e, 'definition.actions.snapshot', () => {
            e.set(
              'definition.actions.snapshot.delete.daysAfterCreationGreaterThan',
              sn.val('delete_after_days_since_creation_greater_than'),
              days,
            );
            e.set(
              'definition.actions.snapshot.tierToArchive.daysAfterCreationGreaterThan',
              sn.val('change_tier_to_archive_after_days_since_creation'),
              days,
            );
            e.set(
              'definition.actions.snapshot.tierToCool.daysAfterCreationGreaterThan',
              sn.val('change_tier_to_cool_after_days_since_creation'),
              days,
            );
          });
          const ve = act.block('version');
          whenBlock(ve, e, 'definition.actions.version', () => {
            e.set(
              'definition.actions.version.delete.daysAfterCreationGreaterThan',
              ve.val('delete_after_days_since_creation'),
              days,
            );
            e.set(
              'definition.actions.version.tierToArchive.daysAfterCreationGreaterThan',
              ve.val('change_tier_to_archive_after_days_since_creation'),
              days,
            );
            e.set(
              'definition.actions.version.tierToCool.daysAfterCreationGreaterThan',
              ve.val('change_tier_to_cool_after_days_since_creation'),
              days,
            );
          });
        });
      });
    },
  },

  azurerm_mssql_server: {
    arm: 'microsoft.sql/servers',
    map({ a, p }) {
      p.set('version', a.val('version'));
      p.set('administratorLogin', a.val('administrator_login'));
      p.set('minimalTlsVersion', a.val('minimum_tls_version'));
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('restrictOutboundNetworkAccess', a.val('outbound_network_restriction_enabled'), ed);
      p.set('keyId', a.val('transparent_data_encryption_key_vault_key_id'));
      const ad = a.block('azuread_administrator');
      whenBlock(ad, p, 'administrators', () => {
        p.put('administrators.administratorType', 'ActiveDirectory');
        p.set('administrators.login', ad.val('login_username'));
        p.set('administrators.sid', ad.val('object_id'));
        p.set('administrators.tenantId', ad.val('tenant_id'));
        p.set('administrators.azureADOnlyAuthentication', ad.val('azuread_authentication_only'));
      });
    },
  },

  azurerm_mssql_database: {
    arm: 'microsoft.sql/servers/databases',
    map(c) {
      const { a, p, sku } = c;
      c.parent(c.ref(a, 'server_id'));
      p.set('collation', a.val('collation'));
      p.set('maxSizeBytes', a.val('max_size_gb'), (x) => (typeof x === 'number' ? x * 1024 ** 3 : undefined));
      p.set('zoneRedundant', a.val('zone_redundant'));
      p.set('requestedBackupStorageRedundancy', a.val('storage_account_type'));
      p.set('licenseType', a.val('license_type'));
      p.set('readScale', a.val('read_scale'), ed);
      p.set('isLedgerOn', a.val('ledger_enabled'));
      // ARM keeps this in the child transparentDataEncryption/current; the plan has it on the database.
      p.set('transparentDataEncryption.state', a.val('transparent_data_encryption_enabled'), ed);
      sku.set('name', a.val('sku_name'));
    },
  },

  azurerm_mssql_firewall_rule: {
    arm: 'microsoft.sql/servers/firewallrules',
    map(c) {
      c.parent(c.ref(c.a, 'server_id'));
      c.p.set('startIpAddress', c.a.val('start_ip_address'));
      c.p.set('endIpAddress', c.a.val('end_ip_address'));
    },
  },

  azurerm_mssql_server_extended_auditing_policy: {
    arm: 'microsoft.sql/servers/auditingsettings',
    name: () => known('default'),
    map: (c) => auditing(c, 'server_id'),
  },

  azurerm_mssql_database_extended_auditing_policy: {
    arm: 'microsoft.sql/servers/databases/auditingsettings',
    name: () => known('default'),
    map: (c) => auditing(c, 'database_id'),
  },

  azurerm_mssql_server_transparent_data_encryption: {
    arm: 'microsoft.sql/servers/encryptionprotector',
    name: () => known('current'),
    map(c) {
      const { a, p } = c;
      c.parent(c.ref(a, 'server_id'));
      const key = a.val('key_vault_key_id', 'managed_hsm_key_id');
      // An unknown key id is still a key: the configuration sets one.
      p.put('serverKeyType', key.k === 'absent' ? 'ServiceManaged' : 'AzureKeyVault');
      p.set('uri', key);
      p.set('autoRotationEnabled', a.val('auto_rotation_enabled'));
    },
  },

  azurerm_kubernetes_cluster: {
    arm: 'microsoft.containerservice/managedclusters',
    exportedSecrets: ['kube_config', 'kube_config_raw', 'kube_admin_config', 'kube_admin_config_raw'],
    map(c) {
      const { a, p, sku } = c;
      p.set('kubernetesVersion', a.val('kubernetes_version'));
      p.set('dnsPrefix', a.val('dns_prefix'));
      p.set('nodeResourceGroup', a.val('node_resource_group'));
      const rbac2 = a.block('role_based_access_control');
      p.set('enableRBAC', first(a.val('role_based_access_control_enabled'), rbac2.val('enabled')));
      const aad = a.block('azure_active_directory_role_based_access_control');
      const aad2 = rbac2.block('azure_active_directory');
      const ad = aad.values || aad.wholeUnknown ? aad : aad2;
      whenBlock(ad, p, 'aadProfile', () => {
        // azurerm 4.x dropped `managed`: the block is always the managed integration.
        p.set('aadProfile.managed', ad.has('managed') ? ad.val('managed') : known(true));
        p.set('aadProfile.enableAzureRBAC', ad.val('azure_rbac_enabled'));
        p.set('aadProfile.adminGroupObjectIDs', ad.val('admin_group_object_ids'), strList);
        p.set('aadProfile.tenantID', ad.val('tenant_id'));
        p.set('aadProfile.clientAppID', ad.val('client_app_id'));
        p.set('aadProfile.serverAppID', ad.val('server_app_id'));
      });
      p.set('disableLocalAccounts', a.val('local_account_disabled'));
      const np = a.block('network_profile');
      whenBlock(np, p, 'networkProfile', () => {
        p.set('networkProfile.networkPlugin', np.val('network_plugin'));
        p.set('networkProfile.networkPluginMode', np.val('network_plugin_mode'));
        p.set('networkProfile.networkPolicy', np.val('network_policy'));
        p.set('networkProfile.networkDataplane', np.val('network_data_plane'));
        p.set('networkProfile.outboundType', np.val('outbound_type'));
        p.set('networkProfile.loadBalancerSku', np.val('load_balancer_sku'), (x) =>
          typeof x === 'string' ? x.toLowerCase() : x,
        );
        p.set('networkProfile.podCidr', np.val('pod_cidr'));
        p.set('networkProfile.serviceCidr', np.val('service_cidr'));
        p.set('networkProfile.dnsServiceIP', np.val('dns_service_ip'));
      });
      p.set('apiServerAccessProfile.enablePrivateCluster', a.val('private_cluster_enabled'));
      const api = a.block('api_server_access_profile');
      const ranges = first(nonEmpty(api.val('authorized_ip_ranges')), nonEmpty(a.val('api_server_authorized_ip_ranges')));
      p.set('apiServerAccessProfile.authorizedIPRanges', ranges, strList);
      p.set('apiServerAccessProfile.subnetId', c.ref(api, 'subnet_id'));
      p.set('apiServerAccessProfile.enableVnetIntegration', api.val('vnet_integration_enabled'));
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);

      const addon = a.block('addon_profile');
      p.set(
        'addonProfiles.azurepolicy.enabled',
        first(a.val('azure_policy_enabled'), addon.block('azure_policy').val('enabled')),
      );
      const oms = a.block('oms_agent');
      const oms2 = addon.block('oms_agent');
      p.set('addonProfiles.omsagent.enabled', first(a.present('oms_agent'), oms2.val('enabled')));
      p.set(
        'addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID',
        first(c.ref(oms, 'log_analytics_workspace_id'), c.ref(oms2, 'log_analytics_workspace_id')),
      );
      p.set('addonProfiles.azureKeyvaultSecretsProvider.enabled', a.present('key_vault_secrets_provider'));
      p.set('securityProfile.defender.securityMonitoring.enabled', a.present('microsoft_defender'));
      p.set(
        'securityProfile.defender.logAnalyticsWorkspaceResourceId',
        c.ref(a.block('microsoft_defender'), 'log_analytics_workspace_id'),
      );
      p.set('securityProfile.workloadIdentity.enabled', a.val('workload_identity_enabled'));
      p.set('oidcIssuerProfile.enabled', a.val('oidc_issuer_enabled'));
      p.set('diskEncryptionSetID', c.ref(a, 'disk_encryption_set_id'));
      p.set('autoUpgradeProfile.upgradeChannel', a.val('automatic_upgrade_channel', 'automatic_channel_upgrade'));
      p.set('autoUpgradeProfile.nodeOSUpgradeChannel', a.val('node_os_upgrade_channel', 'node_os_channel_upgrade'));
      p.set('servicePrincipalProfile.clientId', a.block('service_principal').val('client_id'));
      p.set('linuxProfile.adminUsername', a.block('linux_profile').val('admin_username'));
      const pool = a.block('default_node_pool');
      whenBlock(pool, p, 'agentPoolProfiles', () => {
        const e = p.item('agentPoolProfiles');
        e.set('name', pool.val('name'));
        agentPool(e, pool, c, true);
      });
      const tier = a.val('sku_tier');
      if (tier.k !== 'absent') sku.put('name', 'Base');
      sku.set('tier', tier);
    },
  },

  azurerm_kubernetes_cluster_node_pool: {
    arm: 'microsoft.containerservice/managedclusters/agentpools',
    map(c) {
      c.parent(c.ref(c.a, 'kubernetes_cluster_id'));
      agentPool(c.p, c.a, c, false);
    },
  },

  azurerm_network_security_group: {
    arm: 'microsoft.network/networksecuritygroups',
    map(c) {
      const unknown = eachBlock(c.a, 'security_rule', c.p, 'securityRules', (r, e) => {
        e.set('name', r.val('name'));
        securityRuleProperties(e.at('properties'), r, c);
      });
      // Computed, not written: separate azurerm_network_security_rule resources manage the rules.
      if (unknown && c.isConfigured(['security_rule']) !== true) c.draft.clearedByMerge.push('properties.securityRules');
    },
  },

  azurerm_network_security_rule: {
    arm: 'microsoft.network/networksecuritygroups/securityrules',
    map(c) {
      c.draft.mergeTarget = c.targetByName('azurerm_network_security_group', 'network_security_group_name');
      if (c.draft.mergeTarget) c.draft.row.parent_id = `plan://${c.draft.mergeTarget}`;
      securityRuleProperties(c.p, c.a, c);
    },
    merge(target, own) {
      let rules = target.props.securityRules;
      if (!Array.isArray(rules)) target.props.securityRules = rules = [];
      const el: Obj = { name: own.row.name, properties: own.props };
      const at = rules.findIndex((r) => isObj(r) && r.name === own.row.name);
      if (at >= 0) rules[at] = el;
      else rules.push(el);
      rebaseUnknown(own, target, 'properties.securityRules[*].properties', 'properties.securityRules[*].name');
    },
    orphan: 'row',
  },

  azurerm_virtual_network: {
    arm: 'microsoft.network/virtualnetworks',
    map(c) {
      const { a, p } = c;
      p.set('addressSpace.addressPrefixes', a.val('address_space'), strList);
      p.set('dhcpOptions.dnsServers', a.val('dns_servers'), strList);
      p.set('flowTimeoutInMinutes', a.val('flow_timeout_in_minutes'));
      p.set('enableDdosProtection', a.block('ddos_protection_plan').val('enable'));
      // Inline subnets only when written; otherwise separate azurerm_subnet rows carry them.
      if (a.isUnknown('subnet') && c.isConfigured(['subnet']) === false) return;
      eachBlock(a, 'subnet', p, 'subnets', (s, e) => {
        e.set('name', s.val('name'));
        e.set('properties.addressPrefix', s.val('address_prefix'));
        e.set('properties.addressPrefixes', s.val('address_prefixes'), strList);
        e.set('properties.networkSecurityGroup', c.ref(s, 'security_group'), idObj);
      });
    },
  },

  azurerm_subnet: {
    arm: 'microsoft.network/virtualnetworks/subnets',
    map(c) {
      const { a, p } = c;
      const vnet = c.targetByName('azurerm_virtual_network', 'virtual_network_name');
      const id = a.val('id');
      if (vnet) c.draft.row.parent_id = `plan://${vnet}`;
      else if (id.k === 'known' && typeof id.v === 'string')
        c.draft.row.parent_id = id.v.toLowerCase().replace(/\/subnets\/[^/]+$/, '');
      p.set('addressPrefix', a.val('address_prefix'));
      p.set('addressPrefixes', a.val('address_prefixes'), strList);
      p.set('serviceEndpoints', a.val('service_endpoints'), (x) =>
        Array.isArray(x) ? x.map((service) => ({ service })) : undefined,
      );
      p.set(
        'privateEndpointNetworkPolicies',
        first(
          a.val('private_endpoint_network_policies'),
          mapVal(a.val('private_endpoint_network_policies_enabled'), ed),
          // 2.x: "enforce ... = true" DISABLES the policies.
          mapVal(a.val('enforce_private_link_endpoint_network_policies'), (x) => ed(not(x) ?? null)),
        ),
      );
      p.set('defaultOutboundAccess', a.val('default_outbound_access_enabled'));
      p.set('networkSecurityGroup', c.ref(a, 'network_security_group_id'), idObj);
      eachBlock(a, 'delegation', p, 'delegations', (d, e) => {
        e.set('name', d.val('name'));
        e.set('properties.serviceName', d.block('service_delegation').val('name'));
      });
    },
  },

  azurerm_subnet_network_security_group_association: nsgAssociation('microsoft.network/virtualnetworks/subnets', 'subnet_id'),
  azurerm_network_interface_security_group_association: nsgAssociation(
    'microsoft.network/networkinterfaces',
    'network_interface_id',
  ),

  azurerm_network_interface: {
    arm: 'microsoft.network/networkinterfaces',
    map(c) {
      const { a, p } = c;
      p.set('enableIPForwarding', a.val('ip_forwarding_enabled', 'enable_ip_forwarding'));
      p.set('enableAcceleratedNetworking', a.val('accelerated_networking_enabled', 'enable_accelerated_networking'));
      p.set('dnsSettings.dnsServers', a.val('dns_servers'), strList);
      eachBlock(a, 'ip_configuration', p, 'ipConfigurations', (b, e) => {
        e.set('name', b.val('name'));
        e.set('properties.primary', b.val('primary'));
        e.set('properties.privateIPAllocationMethod', b.val('private_ip_address_allocation'), capitalise);
        e.set('properties.privateIPAddress', b.val('private_ip_address'));
        e.set('properties.privateIPAddressVersion', b.val('private_ip_address_version'));
        e.set('properties.subnet', c.ref(b, 'subnet_id'), idObj);
        e.set('properties.publicIPAddress', c.ref(b, 'public_ip_address_id'), idObj);
      });
    },
  },

  azurerm_public_ip: {
    arm: 'microsoft.network/publicipaddresses',
    map({ a, p, sku }) {
      p.set('publicIPAllocationMethod', a.val('allocation_method'));
      p.set('publicIPAddressVersion', a.val('ip_version'));
      p.set('idleTimeoutInMinutes', a.val('idle_timeout_in_minutes'));
      p.set('dnsSettings.domainNameLabel', a.val('domain_name_label'));
      p.set('ddosSettings.protectionMode', a.val('ddos_protection_mode'));
      sku.set('name', a.val('sku'));
      sku.set('tier', a.val('sku_tier'));
    },
  },

  azurerm_network_watcher_flow_log: {
    arm: 'microsoft.network/networkwatchers/flowlogs',
    map(c) {
      const { a, p } = c;
      const targetAttr =
        a.has('target_resource_id') || a.isUnknown('target_resource_id') ? 'target_resource_id' : 'network_security_group_id';
      const target = c.ref(a, targetAttr);
      c.parent(target);
      p.set('targetResourceId', target);
      p.set('storageId', c.ref(a, 'storage_account_id'));
      p.set('enabled', a.val('enabled'));
      const rp = a.block('retention_policy');
      whenBlock(rp, p, 'retentionPolicy', () => {
        p.set('retentionPolicy.enabled', rp.val('enabled'));
        p.set('retentionPolicy.days', rp.val('days'));
      });
      const version = a.val('version');
      if (version.k !== 'absent') p.put('format.type', 'JSON');
      p.set('format.version', version);
      const ta = a.block('traffic_analytics');
      const fa = 'flowAnalyticsConfiguration.networkWatcherFlowAnalyticsConfiguration';
      whenBlock(ta, p, fa, () => {
        p.set(`${fa}.enabled`, ta.val('enabled'));
        p.set(`${fa}.workspaceId`, ta.val('workspace_id'));
        p.set(`${fa}.workspaceRegion`, ta.val('workspace_region'));
        p.set(`${fa}.workspaceResourceId`, c.ref(ta, 'workspace_resource_id'));
        p.set(`${fa}.trafficAnalyticsInterval`, ta.val('interval_in_minutes'));
      });
    },
  },

  azurerm_monitor_diagnostic_setting: {
    arm: 'microsoft.insights/diagnosticsettings',
    map(c) {
      const { a, p } = c;
      c.parent(c.ref(a, 'target_resource_id'));
      p.set('workspaceId', c.ref(a, 'log_analytics_workspace_id'));
      p.set('storageAccountId', c.ref(a, 'storage_account_id'));
      p.set('eventHubAuthorizationRuleId', c.ref(a, 'eventhub_authorization_rule_id'));
      p.set('eventHubName', a.val('eventhub_name'));
      p.set('logAnalyticsDestinationType', a.val('log_analytics_destination_type'));
      const retention = (b: Attrs, e: Out) => {
        const rp = b.block('retention_policy');
        whenBlock(rp, e, 'retentionPolicy', () => {
          e.set('retentionPolicy.enabled', rp.val('enabled'));
          e.set('retentionPolicy.days', rp.val('days'));
        });
      };
      // 4.x `enabled_log` (enabled by being there); 3.x `log` with its own `enabled`.
      eachBlock(a, 'enabled_log', p, 'logs', (b, e) => {
        e.set('category', b.val('category'));
        e.set('categoryGroup', b.val('category_group'));
        e.put('enabled', true);
        retention(b, e);
      });
      if (!(a.isUnknown('log') && c.isConfigured(['log']) === false)) {
        eachBlock(a, 'log', p, 'logs', (b, e) => {
          e.set('category', b.val('category'));
          e.set('categoryGroup', b.val('category_group'));
          e.set('enabled', b.val('enabled'));
          retention(b, e);
        });
      }
      eachBlock(a, 'enabled_metric', p, 'metrics', (b, e) => {
        e.set('category', b.val('category'));
        e.put('enabled', true);
      });
      if (!(a.isUnknown('metric') && c.isConfigured(['metric']) === false)) {
        eachBlock(a, 'metric', p, 'metrics', (b, e) => {
          e.set('category', b.val('category'));
          e.set('enabled', b.val('enabled'));
          retention(b, e);
        });
      }
    },
  },

  azurerm_log_analytics_workspace: {
    arm: 'microsoft.operationalinsights/workspaces',
    exportedSecrets: ['primary_shared_key', 'secondary_shared_key'],
    map({ a, p, sku }) {
      p.set('retentionInDays', a.val('retention_in_days'));
      p.set('sku.name', a.val('sku'));
      sku.set('name', a.val('sku'));
      p.set('publicNetworkAccessForIngestion', a.val('internet_ingestion_enabled'), ed);
      p.set('publicNetworkAccessForQuery', a.val('internet_query_enabled'), ed);
      p.set('workspaceCapping.dailyQuotaGb', a.val('daily_quota_gb'));
      p.set(
        'features.disableLocalAuth',
        first(a.val('local_authentication_disabled'), mapVal(a.val('local_authentication_enabled'), not)),
      );
    },
  },

  azurerm_role_assignment: {
    arm: 'microsoft.authorization/roleassignments',
    map(c) {
      const { a, p } = c;
      const scope = c.ref(a, 'scope');
      c.parent(scope);
      p.set('scope', scope);
      const roleName = a.val('role_definition_name');
      const roleId = c.ref(a, 'role_definition_id');
      // Given a role name, azurerm computes the id from it at apply: the unknown id says nothing the name does not.
      if (!(roleName.k === 'known' && roleId.k === 'unknown')) p.set('roleDefinitionId', roleId);
      p.set('roleDefinitionName', roleName);
      p.set('principalId', a.val('principal_id'));
      p.set('principalType', a.val('principal_type'));
      p.set('description', a.val('description'));
      p.set('condition', a.val('condition'));
      p.set('conditionVersion', a.val('condition_version'));
      p.set('delegatedManagedIdentityResourceId', c.ref(a, 'delegated_managed_identity_resource_id'));
    },
  },

  azurerm_role_definition: {
    arm: 'microsoft.authorization/roledefinitions',
    map(c) {
      const { a, p } = c;
      p.set('roleName', a.val('name'));
      p.set('description', a.val('description'));
      p.put('type', 'CustomRole');
      eachBlock(a, 'permissions', p, 'permissions', (b, e) => {
        e.set('actions', orDefault(b.val('actions'), []), strList);
        e.set('notActions', orDefault(b.val('not_actions'), []), strList);
        e.set('dataActions', orDefault(b.val('data_actions'), []), strList);
        e.set('notDataActions', orDefault(b.val('not_data_actions'), []), strList);
      });
      // The provider assigns the definition's own scope when assignable_scopes is empty.
      const scopes = a.val('assignable_scopes');
      const empty = scopes.k === 'absent' || (scopes.k === 'known' && Array.isArray(scopes.v) && scopes.v.length === 0);
      p.set('assignableScopes', empty ? mapVal(a.val('scope'), (s) => [s]) : scopes, strList);
    },
  },

  azurerm_security_center_subscription_pricing: {
    arm: 'microsoft.security/pricings',
    name: (c) => orDefault(c.a.val('resource_type'), 'VirtualMachines'),
    map({ a, p }) {
      p.set('pricingTier', a.val('tier'));
      p.set('subPlan', a.val('subplan'));
      eachBlock(a, 'extension', p, 'extensions', (b, e) => {
        e.set('name', b.val('name'));
        e.put('isEnabled', 'True');
        e.set('additionalExtensionProperties', b.val('additional_extension_properties'));
      });
    },
  },

  azurerm_linux_virtual_machine: { arm: 'microsoft.compute/virtualmachines', map: (c) => vmCommon(c, 'Linux') },
  azurerm_windows_virtual_machine: { arm: 'microsoft.compute/virtualmachines', map: (c) => vmCommon(c, 'Windows') },

  azurerm_virtual_machine: {
    arm: 'microsoft.compute/virtualmachines',
    map(c) {
      const { a, p } = c;
      p.set('hardwareProfile.vmSize', a.val('vm_size'));
      const os = a.block('os_profile');
      whenBlock(os, p, 'osProfile', () => {
        p.set('osProfile.computerName', os.val('computer_name'));
        p.set('osProfile.adminUsername', os.val('admin_username'));
      });
      const lin = a.block('os_profile_linux_config');
      whenBlock(lin, p, 'osProfile.linuxConfiguration', () =>
        p.set('osProfile.linuxConfiguration.disablePasswordAuthentication', lin.val('disable_password_authentication')),
      );
      const win = a.block('os_profile_windows_config');
      whenBlock(win, p, 'osProfile.windowsConfiguration', () => {
        p.set('osProfile.windowsConfiguration.provisionVMAgent', win.val('provision_vm_agent'));
        p.set('osProfile.windowsConfiguration.enableAutomaticUpdates', win.val('enable_automatic_upgrades'));
      });
      const d = a.block('storage_os_disk');
      whenBlock(d, p, 'storageProfile.osDisk', () => {
        p.set('storageProfile.osDisk.name', d.val('name'));
        p.set('storageProfile.osDisk.caching', d.val('caching'));
        p.set('storageProfile.osDisk.createOption', d.val('create_option'));
        p.set('storageProfile.osDisk.diskSizeGB', d.val('disk_size_gb'));
        p.set('storageProfile.osDisk.osType', d.val('os_type'));
        p.set('storageProfile.osDisk.managedDisk.storageAccountType', d.val('managed_disk_type'));
      });
      const img = a.block('storage_image_reference');
      whenBlock(img, p, 'storageProfile.imageReference', () => {
        p.set('storageProfile.imageReference.publisher', img.val('publisher'));
        p.set('storageProfile.imageReference.offer', img.val('offer'));
        p.set('storageProfile.imageReference.sku', img.val('sku'));
        p.set('storageProfile.imageReference.version', img.val('version'));
      });
      p.set('networkProfile.networkInterfaces', c.refs(a, 'network_interface_ids'), idObjs);
      p.set('diagnosticsProfile.bootDiagnostics.enabled', a.block('boot_diagnostics').val('enabled'));
    },
  },

  azurerm_managed_disk: {
    arm: 'microsoft.compute/disks',
    map(c) {
      const { a, p, sku } = c;
      p.set('diskSizeGB', a.val('disk_size_gb'));
      p.set('osType', a.val('os_type'));
      p.set('creationData.createOption', a.val('create_option'));
      const des = c.ref(a, 'disk_encryption_set_id');
      // An unknown set id is still a set: the configuration names one.
      p.put('encryption.type', des.k === 'absent' ? 'EncryptionAtRestWithPlatformKey' : 'EncryptionAtRestWithCustomerKey');
      p.set('encryption.diskEncryptionSetId', des);
      p.set('networkAccessPolicy', a.val('network_access_policy'));
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('diskAccessId', c.ref(a, 'disk_access_id'));
      p.set('encryptionSettingsCollection.enabled', a.block('encryption_settings').val('enabled'));
      sku.set('name', a.val('storage_account_type'));
    },
  },

  azurerm_postgresql_flexible_server: {
    arm: 'microsoft.dbforpostgresql/flexibleservers',
    map(c) {
      const { a, p, sku } = c;
      p.set('version', a.val('version'));
      p.set('administratorLogin', a.val('administrator_login'));
      p.set('network.publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('network.delegatedSubnetResourceId', c.ref(a, 'delegated_subnet_id'));
      p.set('network.privateDnsZoneArmResourceId', c.ref(a, 'private_dns_zone_id'));
      p.set('backup.backupRetentionDays', a.val('backup_retention_days'));
      p.set('backup.geoRedundantBackup', a.val('geo_redundant_backup_enabled'), ed);
      const ha = a.blocks('high_availability');
      if (ha.k === 'unknown') p.markUnknown('highAvailability.mode');
      else if (ha.k === 'known') {
        const h = ha.items[0];
        if (h) p.set('highAvailability.mode', h.val('mode'));
        else p.put('highAvailability.mode', 'Disabled');
      }
      p.set('storage.storageSizeGB', a.val('storage_mb'), (x) => (typeof x === 'number' ? Math.round(x / 1024) : undefined));
      p.set('storage.autoGrow', a.val('auto_grow_enabled'), ed);
      const auth = a.block('authentication');
      whenBlock(auth, p, 'authConfig', () => {
        p.set('authConfig.activeDirectoryAuth', auth.val('active_directory_auth_enabled'), ed);
        p.set('authConfig.passwordAuth', auth.val('password_auth_enabled'), ed);
        p.set('authConfig.tenantId', auth.val('tenant_id'));
      });
      const cmk = a.blocks('customer_managed_key');
      if (cmk.k === 'unknown') p.markUnknown('dataEncryption.type');
      else if (cmk.k === 'known') {
        const k = cmk.items[0];
        p.put('dataEncryption.type', k ? 'AzureKeyVault' : 'SystemManaged');
        if (k) p.set('dataEncryption.primaryKeyURI', k.val('key_vault_key_id'));
      }
      const tiers: Record<string, string> = { B: 'Burstable', GP: 'GeneralPurpose', MO: 'MemoryOptimized' };
      const s = a.val('sku_name');
      if (s.k === 'known' && typeof s.v === 'string') {
        const i = s.v.indexOf('_');
        const tier = i > 0 ? tiers[s.v.slice(0, i)] : undefined;
        sku.put('name', tier ? s.v.slice(i + 1) : s.v);
        if (tier) sku.put('tier', tier);
      } else sku.set('name', s);
    },
  },

  azurerm_redis_cache: {
    arm: 'microsoft.cache/redis',
    exportedSecrets: ['primary_access_key', 'secondary_access_key', 'primary_connection_string', 'secondary_connection_string'],
    map(c) {
      const { a, p, sku } = c;
      p.set('enableNonSslPort', a.val('non_ssl_port_enabled', 'enable_non_ssl_port'));
      p.set('minimumTlsVersion', a.val('minimum_tls_version'));
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('redisVersion', a.val('redis_version'));
      p.set('subnetId', c.ref(a, 'subnet_id'));
      p.set('disableAccessKeyAuthentication', a.val('access_keys_authentication_enabled'), not);
      for (const o of [p.at('sku'), sku]) {
        o.set('name', a.val('sku_name'));
        o.set('family', a.val('family'));
        o.set('capacity', a.val('capacity'));
      }
      if (Object.keys(p.at('sku').obj).length === 0) delete p.obj.sku;
    },
  },

  azurerm_cosmosdb_account: {
    arm: 'microsoft.documentdb/databaseaccounts',
    exportedSecrets: [
      'primary_key',
      'secondary_key',
      'primary_readonly_key',
      'secondary_readonly_key',
      'connection_strings',
      'primary_sql_connection_string',
      'secondary_sql_connection_string',
      'primary_readonly_sql_connection_string',
      'secondary_readonly_sql_connection_string',
      'primary_mongodb_connection_string',
      'secondary_mongodb_connection_string',
      'primary_readonly_mongodb_connection_string',
      'secondary_readonly_mongodb_connection_string',
    ],
    map({ a, p }) {
      p.set('databaseAccountOfferType', a.val('offer_type'));
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('disableLocalAuth', a.val('local_authentication_disabled'));
      p.set('isVirtualNetworkFilterEnabled', a.val('is_virtual_network_filter_enabled'));
      p.set('minimalTlsVersion', a.val('minimal_tls_version'));
      // Each geo_location is a region holding a full copy of the data, as ARM's locations list.
      eachBlock(a, 'geo_location', p, 'locations', (b, e) => {
        e.set('locationName', b.val('location'));
        e.set('failoverPriority', b.val('failover_priority'));
        e.set('isZoneRedundant', b.val('zone_redundant'));
      });
    },
  },

  azurerm_container_registry: {
    arm: 'microsoft.containerregistry/registries',
    exportedSecrets: ['admin_password'],
    map({ a, p, sku }) {
      p.set('adminUserEnabled', a.val('admin_enabled'));
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('anonymousPullEnabled', a.val('anonymous_pull_enabled'));
      p.set('dataEndpointEnabled', a.val('data_endpoint_enabled'));
      p.set('zoneRedundancy', a.val('zone_redundancy_enabled'), ed);
      p.set('networkRuleBypassOptions', a.val('network_rule_bypass_option'));
      const nrs = a.block('network_rule_set');
      whenBlock(nrs, p, 'networkRuleSet', () => {
        p.set('networkRuleSet.defaultAction', nrs.val('default_action'));
        eachBlock(nrs, 'ip_rule', p, 'networkRuleSet.ipRules', (r, e) => {
          e.set('action', r.val('action'));
          e.set('value', r.val('ip_range'));
        });
      });
      const rp = a.block('retention_policy');
      whenBlock(rp, p, 'policies.retentionPolicy', () => {
        p.set('policies.retentionPolicy.days', rp.val('days'));
        p.set('policies.retentionPolicy.status', rp.val('enabled'), ed);
      });
      const rdays = a.val('retention_policy_in_days');
      if (rdays.k === 'known') p.put('policies.retentionPolicy.status', 'Enabled');
      p.set('policies.retentionPolicy.days', rdays);
      p.set('policies.trustPolicy.status', first(a.val('trust_policy_enabled'), a.block('trust_policy').val('enabled')), ed);
      p.set('policies.exportPolicy.status', a.val('export_policy_enabled'), ed);
      p.set('policies.quarantinePolicy.status', a.val('quarantine_policy_enabled'), ed);
      sku.set('name', a.val('sku'));
      sku.set('tier', a.val('sku'));
    },
  },

  azurerm_private_endpoint: {
    arm: 'microsoft.network/privateendpoints',
    map(c) {
      const { a, p } = c;
      p.set('subnet', c.ref(a, 'subnet_id'), idObj);
      p.set('customNetworkInterfaceName', a.val('custom_network_interface_name'));
      const psc = a.block('private_service_connection');
      whenBlock(psc, p, 'privateLinkServiceConnections', () => {
        const target = c.ref(psc, 'private_connection_resource_id');
        c.parent(target);
        const manual = psc.val('is_manual_connection');
        const list =
          manual.k === 'known' && manual.v === true ? 'manualPrivateLinkServiceConnections' : 'privateLinkServiceConnections';
        const e = p.item(list);
        e.set('name', psc.val('name'));
        e.set('properties.privateLinkServiceId', target);
        e.set('properties.groupIds', psc.val('subresource_names'), strList);
        e.set('properties.requestMessage', psc.val('request_message'));
      });
    },
  },
  ...AZURERM_WEB_MAPPINGS,
};

/** An empty list reads as absent, so that a later alternative attribute can supply the value. */
function nonEmpty(v: Val): Val {
  return v.k === 'known' && Array.isArray(v.v) && v.v.length === 0 ? { k: 'absent' } : v;
}

/** azurerm resource types this collector maps onto ARM; everything else azurerm is counted and evaluated only for plaintext secrets. */
export const SUPPORTED_AZURERM_TYPES: readonly string[] = Object.freeze(Object.keys(AZURERM_MAPPINGS).sort());
