// azurerm → ARM for the web tier, compute at scale, messaging and platform plumbing (2.x / 3.x / 4.x names).
// Same rules as azurerm-mappings.ts: ARM names from the REST API, absent attributes stay absent.
import type { Json } from '../../model.js';
import type { MapContext, TypeMapping } from './map-context.js';
import { type Attrs, first, Out, type Val } from './plan-values.js';

const ed = (x: Json): Json | undefined => (x === true ? 'Enabled' : x === false ? 'Disabled' : undefined);
const not = (x: Json): Json | undefined => (typeof x === 'boolean' ? !x : undefined);
const idObj = (x: Json): Json | undefined => (typeof x === 'string' ? { id: x } : undefined);
const strList = (x: Json): Json | undefined => (Array.isArray(x) ? x : undefined);
/** ARM's `"True"` / `"False"` strings (API Management customProperties). */
const tf = (x: Json): Json | undefined => (x === true ? 'True' : x === false ? 'False' : undefined);

/** Each element of a block list as an item of the ARM array at `path`; an unknown list marks `path`. */
function eachBlock(a: Attrs, name: string, o: Out, path: string, fill: (b: Attrs, e: Out) => void): void {
  const bs = a.blocks(name);
  if (bs.k === 'unknown') o.markUnknown(path);
  else if (bs.k === 'known') {
    o.list(path);
    for (const b of bs.items) fill(b, o.item(path));
  }
}

/** A type mapped for its parent relation only: no check reads its properties yet. */
function child(arm: string, parentAttr: string, fill?: (c: MapContext) => void): TypeMapping {
  return {
    arm,
    map(c) {
      c.parent(c.ref(c.a, parentAttr));
      fill?.(c);
    },
  };
}
const plain = (arm: string, fill?: (c: MapContext) => void): TypeMapping => ({ arm, map: (c) => fill?.(c) });

/**
 * ARM's top-level `identity` from an `identity { type, identity_ids }` block. No block is no identity: ARM's
 * `{type: "None"}`, as Resource Graph reports such a resource. A block unknown as a whole marks `identity`; an
 * unknown type or list of ids marks its own path.
 */
function managedIdentity(c: MapContext): void {
  const bs = c.a.blocks('identity');
  if (bs.k === 'unknown') {
    c.draft.unknown.add('identity');
    return;
  }
  const b = bs.k === 'known' ? bs.items[0] : undefined;
  if (!b) {
    c.draft.row.identity = { type: 'None' };
    return;
  }
  const identity: Record<string, Json> = {};
  const o = new Out(identity, 'identity', c.draft.unknown);
  o.set('type', b.val('type'));
  o.set('userAssignedIdentities', c.refs(b, 'identity_ids'), (ids) =>
    Array.isArray(ids) ? Object.fromEntries(ids.map((id) => [String(id), {}])) : undefined,
  );
  c.draft.row.identity = identity;
}

// ---- App Service ------------------------------------------------------------------------------------

/** Web and function apps (and their slots): microsoft.web/sites properties incl. siteConfig. */
function site(kind: string, parentAttr?: string): TypeMapping {
  return {
    arm: parentAttr ? 'microsoft.web/sites/slots' : 'microsoft.web/sites',
    exportedSecrets: ['custom_domain_verification_id', 'site_credential', 'storage_account_access_key'],
    map(c) {
      const { a, p } = c;
      if (parentAttr) c.parent(c.ref(a, parentAttr));
      p.put('kind', kind);
      p.set('serverFarmId', first(c.ref(a, 'service_plan_id'), c.ref(a, 'app_service_plan_id')));
      p.set('httpsOnly', a.val('https_only'));
      p.set('enabled', a.val('enabled'));
      p.set('clientCertEnabled', a.val('client_certificate_enabled', 'client_cert_enabled'));
      p.set('clientCertMode', a.val('client_certificate_mode', 'client_cert_mode'));
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('virtualNetworkSubnetId', c.ref(a, 'virtual_network_subnet_id'));
      p.set('keyVaultReferenceIdentity', c.ref(a, 'key_vault_reference_identity_id'));
      managedIdentity(c);
      const sc = a.block('site_config');
      if (sc.wholeUnknown) p.markUnknown('siteConfig');
      else if (sc.values) {
        p.set('siteConfig.minTlsVersion', sc.val('minimum_tls_version', 'min_tls_version'));
        p.set('siteConfig.scmMinTlsVersion', sc.val('scm_minimum_tls_version', 'scm_min_tls_version'));
        p.set('siteConfig.ftpsState', sc.val('ftps_state'));
        p.set('siteConfig.remoteDebuggingEnabled', sc.val('remote_debugging_enabled'));
        p.set('siteConfig.http20Enabled', sc.val('http2_enabled'));
        p.set('siteConfig.alwaysOn', sc.val('always_on'));
        p.set('siteConfig.vnetRouteAllEnabled', sc.val('vnet_route_all_enabled'));
        p.set('siteConfig.minimumElasticInstanceCount', sc.val('elastic_instance_minimum'));
      }
    },
  };
}

// ---- scale sets ---------------------------------------------------------------------------------------

function scaleSet(os: 'Linux' | 'Windows' | null): TypeMapping {
  return {
    arm: 'microsoft.compute/virtualmachinescalesets',
    map(c) {
      const { a, p, sku } = c;
      const vp = 'virtualMachineProfile';
      p.put('orchestrationMode', os ? 'Uniform' : 'Flexible');
      sku.set('name', a.val('sku', 'sku_name'));
      sku.set('capacity', a.val('instances'));
      p.set('platformFaultDomainCount', a.val('platform_fault_domain_count'));
      p.set('upgradePolicy.mode', a.val('upgrade_mode'));
      p.set('singlePlacementGroup', a.val('single_placement_group'));
      p.set(`${vp}.securityProfile.encryptionAtHost`, a.val('encryption_at_host_enabled'));
      p.set(`${vp}.securityProfile.uefiSettings.secureBootEnabled`, a.val('secure_boot_enabled'));
      p.set(`${vp}.securityProfile.uefiSettings.vTpmEnabled`, a.val('vtpm_enabled'));
      // The orchestrated kind nests the OS settings in os_profile.{linux,windows}_configuration.
      const op = a.block('os_profile');
      const lin = os === 'Linux' ? a : op.block('linux_configuration');
      const win = os === 'Windows' ? a : op.block('windows_configuration');
      if (os === 'Linux' || lin.values) {
        p.set(`${vp}.osProfile.adminUsername`, lin.val('admin_username'));
        p.set(`${vp}.osProfile.linuxConfiguration.disablePasswordAuthentication`, lin.val('disable_password_authentication'));
      } else if (lin.wholeUnknown) p.markUnknown(`${vp}.osProfile.linuxConfiguration`);
      if (os === 'Windows' || win.values) {
        p.set(`${vp}.osProfile.adminUsername`, win.val('admin_username'));
        p.set(
          `${vp}.osProfile.windowsConfiguration.enableAutomaticUpdates`,
          win.val('automatic_updates_enabled', 'enable_automatic_updates'),
        );
      }
      eachBlock(a, 'network_interface', p, `${vp}.networkProfile.networkInterfaceConfigurations`, (n, e) => {
        e.set('name', n.val('name'));
        e.set('properties.primary', n.val('primary'));
        e.set('properties.enableAcceleratedNetworking', n.val('enable_accelerated_networking', 'accelerated_networking_enabled'));
        e.set('properties.networkSecurityGroup', c.ref(n, 'network_security_group_id'), idObj);
        eachBlock(n, 'ip_configuration', e, 'properties.ipConfigurations', (ip, ie) => {
          ie.set('name', ip.val('name'));
          ie.set('properties.subnet', c.ref(ip, 'subnet_id'), idObj);
          const pub = ip.blocks('public_ip_address');
          if (pub.k === 'unknown') ie.markUnknown('properties.publicIPAddressConfiguration');
          else if (pub.k === 'known' && pub.items[0]) {
            ie.set('properties.publicIPAddressConfiguration.name', pub.items[0].val('name'));
          }
        });
      });
    },
  };
}

// ---- WAF policies -------------------------------------------------------------------------------------

/** Front Door WAF policies: classic (azurerm_frontdoor_firewall_policy) and Standard/Premium alike. */
const frontDoorWaf: TypeMapping = {
  arm: 'microsoft.network/frontdoorwebapplicationfirewallpolicies',
  map(c) {
    const { a, p, sku } = c;
    sku.set('name', a.val('sku_name'));
    p.set('policySettings.enabledState', a.val('enabled'), ed);
    p.set('policySettings.mode', a.val('mode'));
    eachBlock(a, 'managed_rule', p, 'managedRules.managedRuleSets', (r, e) => {
      e.set('ruleSetType', r.val('type'));
      e.set('ruleSetVersion', r.val('version'));
      e.set('ruleSetAction', r.val('action'));
    });
  },
};

export const AZURERM_WEB_MAPPINGS: Readonly<Record<string, TypeMapping>> = {
  azurerm_application_gateway: {
    arm: 'microsoft.network/applicationgateways',
    map(c) {
      const { a, p } = c;
      const s = a.block('sku');
      p.set('sku.name', s.val('name'));
      p.set('sku.tier', s.val('tier'));
      p.set('sku.capacity', s.val('capacity'));
      p.set('enableHttp2', a.val('http2_enabled', 'enable_http2'));
      p.set('firewallPolicy', c.ref(a, 'firewall_policy_id'), idObj);
      const ssl = a.block('ssl_policy');
      if (ssl.wholeUnknown) p.markUnknown('sslPolicy');
      else if (ssl.values) {
        p.set('sslPolicy.policyType', ssl.val('policy_type'));
        p.set('sslPolicy.policyName', ssl.val('policy_name'));
        p.set('sslPolicy.minProtocolVersion', ssl.val('min_protocol_version'));
        p.set('sslPolicy.disabledSslProtocols', ssl.val('disabled_protocols'), strList);
      }
      const waf = a.block('waf_configuration');
      if (waf.wholeUnknown) p.markUnknown('webApplicationFirewallConfiguration');
      else if (waf.values) {
        p.set('webApplicationFirewallConfiguration.enabled', waf.val('enabled'));
        p.set('webApplicationFirewallConfiguration.firewallMode', waf.val('firewall_mode'));
        p.set('webApplicationFirewallConfiguration.ruleSetType', waf.val('rule_set_type'));
        p.set('webApplicationFirewallConfiguration.ruleSetVersion', waf.val('rule_set_version'));
      }
      eachBlock(a, 'frontend_ip_configuration', p, 'frontendIPConfigurations', (f, e) => {
        e.set('name', f.val('name'));
        e.set('properties.publicIPAddress', c.ref(f, 'public_ip_address_id'), idObj);
        e.set('properties.privateIPAddress', f.val('private_ip_address'));
        e.set('properties.subnet', c.ref(f, 'subnet_id'), idObj);
      });
      // Sub-resources refer to each other by name in azurerm and by id in ARM: `{ name }` stands for the id here.
      const byName = (x: Json): Json | undefined => (typeof x === 'string' ? { name: x } : undefined);
      eachBlock(a, 'http_listener', p, 'httpListeners', (l, e) => {
        e.set('name', l.val('name'));
        e.set('properties.protocol', l.val('protocol'));
        e.set('properties.frontendIPConfiguration', l.val('frontend_ip_configuration_name'), byName);
      });
      eachBlock(a, 'request_routing_rule', p, 'requestRoutingRules', (r, e) => {
        e.set('name', r.val('name'));
        e.set('properties.ruleType', r.val('rule_type'));
        e.set('properties.httpListener', r.val('http_listener_name'), byName);
        e.set('properties.redirectConfiguration', r.val('redirect_configuration_name'), byName);
        e.set('properties.backendAddressPool', r.val('backend_address_pool_name'), byName);
        e.set('properties.urlPathMap', r.val('url_path_map_name'), byName);
      });
      eachBlock(a, 'redirect_configuration', p, 'redirectConfigurations', (r, e) => {
        e.set('name', r.val('name'));
        e.set('properties.redirectType', r.val('redirect_type'));
        e.set('properties.targetListener', r.val('target_listener_name'), byName);
        e.set('properties.targetUrl', r.val('target_url'));
      });
    },
  },
  azurerm_web_application_firewall_policy: {
    arm: 'microsoft.network/applicationgatewaywebapplicationfirewallpolicies',
    map({ a, p }) {
      const ps = a.block('policy_settings');
      if (ps.wholeUnknown) p.markUnknown('policySettings');
      else if (ps.values) {
        p.set('policySettings.state', ps.val('enabled'), ed);
        p.set('policySettings.mode', ps.val('mode'));
        p.set('policySettings.requestBodyCheck', ps.val('request_body_check'));
      }
      eachBlock(a.block('managed_rules'), 'managed_rule_set', p, 'managedRules.managedRuleSets', (r, e) => {
        e.set('ruleSetType', r.val('type'));
        e.set('ruleSetVersion', r.val('version'));
      });
    },
  },
  azurerm_frontdoor: plain('microsoft.network/frontdoors', ({ a, p }) => {
    eachBlock(a, 'frontend_endpoint', p, 'frontendEndpoints', (f, e) => {
      e.set('name', f.val('name'));
      e.set('properties.hostName', f.val('host_name'));
      e.set('properties.webApplicationFirewallPolicyLink', f.val('web_application_firewall_policy_link_id'), idObj);
    });
  }),
  azurerm_frontdoor_firewall_policy: frontDoorWaf,
  azurerm_cdn_frontdoor_firewall_policy: frontDoorWaf,
  azurerm_cdn_frontdoor_profile: plain('microsoft.cdn/profiles', ({ a, sku }) => sku.set('name', a.val('sku_name'))),
  azurerm_cdn_frontdoor_endpoint: child('microsoft.cdn/profiles/afdendpoints', 'cdn_frontdoor_profile_id', ({ a, p }) =>
    p.set('enabledState', a.val('enabled'), ed),
  ),
  azurerm_cdn_frontdoor_security_policy: child('microsoft.cdn/profiles/securitypolicies', 'cdn_frontdoor_profile_id', (c) => {
    const waf = c.a.block('security_policies').block('firewall');
    c.p.set('parameters.wafPolicy', c.ref(waf, 'cdn_frontdoor_firewall_policy_id'), idObj);
    if (waf.values) c.p.put('parameters.type', 'WebApplicationFirewall');
  }),

  azurerm_linux_web_app: site('app,linux'),
  azurerm_windows_web_app: site('app'),
  azurerm_linux_function_app: site('functionapp,linux'),
  azurerm_windows_function_app: site('functionapp'),
  azurerm_app_service: site('app'),
  azurerm_function_app: site('functionapp'),
  azurerm_linux_web_app_slot: site('app,linux', 'app_service_id'),
  azurerm_windows_web_app_slot: site('app', 'app_service_id'),
  azurerm_linux_function_app_slot: site('functionapp,linux', 'function_app_id'),
  azurerm_windows_function_app_slot: site('functionapp', 'function_app_id'),
  azurerm_app_service_slot: site('app', 'app_service_id'),
  azurerm_service_plan: plain('microsoft.web/serverfarms', ({ a, p, sku }) => {
    sku.set('name', a.val('sku_name'));
    p.set('zoneRedundant', a.val('zone_balancing_enabled'));
    p.set('reserved', a.val('os_type'), (x) => x === 'Linux');
  }),
  azurerm_app_service_plan: plain('microsoft.web/serverfarms', ({ a, p, sku }) => {
    const s = a.block('sku');
    sku.set('name', s.val('size'));
    sku.set('tier', s.val('tier'));
    p.set('reserved', a.val('reserved'));
  }),

  azurerm_linux_virtual_machine_scale_set: scaleSet('Linux'),
  azurerm_windows_virtual_machine_scale_set: scaleSet('Windows'),
  azurerm_orchestrated_virtual_machine_scale_set: scaleSet(null),

  azurerm_api_management: {
    arm: 'microsoft.apimanagement/service',
    map({ a, p, sku }) {
      sku.set('name', a.val('sku_name'), (x) => (typeof x === 'string' ? x.split('_')[0] : undefined));
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('virtualNetworkType', a.val('virtual_network_type'));
      p.set('publisherName', a.val('publisher_name'));
      const sec = a.block('security');
      if (sec.wholeUnknown) p.markUnknown('customProperties');
      else if (sec.values) {
        // customProperties keys contain dots, so they are written through one nested object.
        const cp: Record<string, Json> = {};
        const pre = 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.';
        const pairs: [string, Val][] = [
          ['Protocols.Tls10', sec.val('frontend_tls10_enabled', 'enable_frontend_tls10')],
          ['Protocols.Tls11', sec.val('frontend_tls11_enabled', 'enable_frontend_tls11')],
          ['Protocols.Ssl30', sec.val('frontend_ssl30_enabled', 'enable_frontend_ssl30')],
          ['Backend.Protocols.Tls10', sec.val('backend_tls10_enabled', 'enable_backend_tls10')],
          ['Backend.Protocols.Tls11', sec.val('backend_tls11_enabled', 'enable_backend_tls11')],
          ['Backend.Protocols.Ssl30', sec.val('backend_ssl30_enabled', 'enable_backend_ssl30')],
          ['Protocols.Server.Http2', sec.val('http2_enabled')],
          ['Ciphers.TripleDes168', sec.val('triple_des_ciphers_enabled', 'enable_triple_des_ciphers')],
        ];
        for (const [k, v] of pairs) {
          if (v.k === 'unknown') p.markUnknown(`customProperties.${pre}${k}`);
          else if (v.k === 'known') {
            const s = tf(v.v);
            if (s !== undefined) cp[`${pre}${k}`] = s;
          }
        }
        if (Object.keys(cp).length > 0) p.put('customProperties', cp);
      }
    },
  },

  azurerm_mysql_flexible_server: {
    arm: 'microsoft.dbformysql/flexibleservers',
    map(c) {
      const { a, p, sku } = c;
      p.set('version', a.val('version'));
      p.set('administratorLogin', a.val('administrator_login'));
      p.set('network.publicNetworkAccess', a.val('public_network_access_enabled', 'public_network_access'), (x) =>
        typeof x === 'boolean' ? ed(x) : x,
      );
      p.set('network.delegatedSubnetResourceId', c.ref(a, 'delegated_subnet_id'));
      p.set('network.privateDnsZoneResourceId', c.ref(a, 'private_dns_zone_id'));
      p.set('backup.backupRetentionDays', a.val('backup_retention_days'));
      p.set('backup.geoRedundantBackup', a.val('geo_redundant_backup_enabled'), ed);
      p.set('highAvailability.mode', a.block('high_availability').val('mode'));
      sku.set('name', a.val('sku_name'));
    },
  },
  azurerm_mysql_flexible_server_configuration: child(
    'microsoft.dbformysql/flexibleservers/configurations',
    'server_id',
    serverParameter,
  ),
  azurerm_mysql_flexible_server_firewall_rule: child('microsoft.dbformysql/flexibleservers/firewallrules', 'server_id'),
  azurerm_postgresql_flexible_server_configuration: child(
    'microsoft.dbforpostgresql/flexibleservers/configurations',
    'server_id',
    serverParameter,
  ),
  azurerm_postgresql_flexible_server_firewall_rule: child('microsoft.dbforpostgresql/flexibleservers/firewallrules', 'server_id'),

  azurerm_eventhub_namespace: messaging('microsoft.eventhub/namespaces'),
  azurerm_servicebus_namespace: messaging('microsoft.servicebus/namespaces'),
  azurerm_eventhub: child('microsoft.eventhub/namespaces/eventhubs', 'namespace_id'),
  azurerm_servicebus_queue: child('microsoft.servicebus/namespaces/queues', 'namespace_id'),
  azurerm_servicebus_topic: child('microsoft.servicebus/namespaces/topics', 'namespace_id'),

  azurerm_key_vault_access_policy: child('microsoft.keyvault/vaults/accesspolicies', 'key_vault_id'),
  azurerm_key_vault_certificate: child('microsoft.keyvault/vaults/certificates', 'key_vault_id', ({ a, p }) => {
    const policy = a.block('certificate_policy');
    if (policy.wholeUnknown) p.markUnknown('lifetimeActions');
    const x = policy.block('x509_certificate_properties');
    p.set('x509CertificateProperties.validityInMonths', x.val('validity_in_months'));
    // Key Vault's certificate policy: lifetime_actions[].{trigger, action.action_type}, in the SDK's camel case.
    if (policy.values)
      eachBlock(policy, 'lifetime_action', p, 'lifetimeActions', (l, e) => {
        e.set('action.actionType', l.block('action').val('action_type'));
        e.set('trigger.daysBeforeExpiry', l.block('trigger').val('days_before_expiry'));
        e.set('trigger.lifetimePercentage', l.block('trigger').val('lifetime_percentage'));
      });
  }),
  azurerm_user_assigned_identity: plain('microsoft.managedidentity/userassignedidentities'),
  azurerm_private_dns_zone: plain('microsoft.network/privatednszones'),
  azurerm_private_dns_zone_virtual_network_link: plain('microsoft.network/privatednszones/virtualnetworklinks', (c) => {
    const zone = c.targetByName('azurerm_private_dns_zone', 'private_dns_zone_name');
    if (zone) c.draft.row.parent_id = `plan://${zone}`;
    c.p.set('virtualNetwork', c.ref(c.a, 'virtual_network_id'), idObj);
    c.p.set('registrationEnabled', c.a.val('registration_enabled'));
  }),
  azurerm_container_app_environment: plain('microsoft.app/managedenvironments', (c) => {
    c.p.set('vnetConfiguration.infrastructureSubnetId', c.ref(c.a, 'infrastructure_subnet_id'));
    c.p.set('vnetConfiguration.internal', c.a.val('internal_load_balancer_enabled'));
  }),
  azurerm_container_app: child('microsoft.app/containerapps', 'container_app_environment_id', (c) => {
    c.p.set('managedEnvironmentId', c.ref(c.a, 'container_app_environment_id'));
    const ing = c.a.block('ingress');
    c.p.set('configuration.ingress.external', ing.val('external_enabled'));
    c.p.set('configuration.ingress.allowInsecure', ing.val('allow_insecure_connections'));
  }),
  azurerm_log_analytics_solution: plain('microsoft.operationsmanagement/solutions', (c) =>
    c.p.set('workspaceResourceId', c.ref(c.a, 'workspace_resource_id')),
  ),
  azurerm_network_watcher: plain('microsoft.network/networkwatchers'),
  azurerm_monitor_action_group: plain('microsoft.insights/actiongroups', ({ a, p }) => {
    p.set('enabled', a.val('enabled'));
    p.set('groupShortName', a.val('short_name'));
  }),
};

/** A flexible server parameter (require_secure_transport = ON): its name is the row's name, as in ARM. */
function serverParameter({ a, p }: MapContext): void {
  p.set('value', a.val('value'));
}

/** Event Hubs and Service Bus namespaces share minimumTlsVersion / disableLocalAuth / publicNetworkAccess. */
function messaging(arm: string): TypeMapping {
  return {
    arm,
    exportedSecrets: [
      'default_primary_connection_string',
      'default_secondary_connection_string',
      'default_primary_key',
      'default_secondary_key',
      'default_primary_connection_string_alias',
      'default_secondary_connection_string_alias',
    ],
    map({ a, p, sku }) {
      sku.set('name', a.val('sku'));
      sku.set('capacity', a.val('capacity'));
      p.set('minimumTlsVersion', a.val('minimum_tls_version'));
      p.set('disableLocalAuth', a.val('local_authentication_enabled'), not);
      p.set('publicNetworkAccess', a.val('public_network_access_enabled'), ed);
      p.set('zoneRedundant', a.val('zone_redundant'));
    },
  };
}
