// Which azurerm attributes bear secrets: their values are never read, only recorded by path (see
// secretAttributes in plan-values.ts). The lists are exported so tests can plant a value under every entry.

/** Attribute names that bear a secret on any azurerm type (also inside blocks). */
export const SECRET_NAMES: ReadonlySet<string> = new Set([
  'password',
  'admin_password',
  'administrator_login_password',
  'administrator_login_password_wo',
  'administrator_password',
  'client_secret',
  'client_key',
  'client_certificate',
  'client_certificate_password',
  'certificate_password',
  'connection_string',
  'connection_strings',
  'custom_data',
  'user_data',
  'kube_config',
  'kube_config_raw',
  'kube_admin_config',
  'kube_admin_config_raw',
  'primary_key',
  'secondary_key',
  'instrumentation_key',
  'private_key',
  'private_key_pem',
  'sas',
  'sas_token',
  'sas_url',
  'token',
  'secret',
  'value_wo',
  // VPN connections' pre-shared key; VM extensions' settings that may hold keys and scripts; container env.
  'shared_key',
  'protected_settings',
  'secure_environment_variables',
  // A database import's storage key, a datastore's account key, an app service certificate's PFX.
  'storage_key',
  'account_key',
  'pfx_blob',
  'api_key',
]);

/** Name endings that bear a secret (`storage_account_access_key`, `docker_registry_password`). */
export const SECRET_SUFFIXES: readonly string[] = [
  '_password',
  '_secret',
  '_connection_string',
  '_connection_strings',
  '_access_key',
  '_shared_key',
  '_sas_token',
  '_sas_url',
  '_private_key',
  '_password_wo',
  '_primary_key',
  '_secondary_key',
  '_readonly_key',
  '_account_key',
  '_sas_key',
  // Redis AOF persistence: aof_storage_connection_string_0 and _1.
  '_connection_string_0',
  '_connection_string_1',
];

/** Names that bear a secret on one type only (`value` is a secret's value, elsewhere it is not). */
export const TYPE_SECRET_NAMES: Readonly<Record<string, readonly string[]>> = {
  azurerm_key_vault_secret: ['value'],
  // The PFX (with its private key) of an imported certificate.
  azurerm_key_vault_certificate: ['contents'],
};

const secretByName = new Map<string, boolean>();

/** Is this attribute name secret-bearing (for any resource type, or for `type` in particular)? */
export function isSecretAttribute(name: string, type?: string): boolean {
  if (type !== undefined && Object.hasOwn(TYPE_SECRET_NAMES, type) && TYPE_SECRET_NAMES[type]?.includes(name)) return true;
  let hit = secretByName.get(name);
  if (hit === undefined) {
    hit = SECRET_NAMES.has(name) || SECRET_SUFFIXES.some((s) => name.endsWith(s));
    if (secretByName.size < 10_000) secretByName.set(name, hit);
  }
  return hit;
}
