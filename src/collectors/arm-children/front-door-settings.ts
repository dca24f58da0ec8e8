// Front Door Standard/Premium security policies (the WAF policy a profile's domains are served through), through
// @azure/arm-cdn. Resource Graph does not return them as rows of their own.
import { CdnManagementClient } from '@azure/arm-cdn';
import type { AzureConnection } from '../azure/connection.js';
import { armClientOptions, type ChildKind, idNames, type RetryOptions, subscriptionOf } from './child-lists.js';

const PROFILES = 'microsoft.cdn/profiles';

export function frontDoorSettingsKinds(connection: AzureConnection, retry?: RetryOptions): ChildKind[] {
  const clients = new Map<string, CdnManagementClient>();
  const client = (profile: string) => {
    const sub = subscriptionOf(profile);
    let c = clients.get(sub);
    if (!c) {
      const { credentials, ...options } = armClientOptions(connection, retry);
      c = new CdnManagementClient(connection.credential, sub, { ...options, credentialScopes: credentials.scopes });
      clients.set(sub, c);
    }
    return c;
  };
  return [
    {
      childType: `${PROFILES}/securitypolicies`,
      parentType: PROFILES,
      // Only Front Door profiles (Standard_AzureFrontDoor, Premium_AzureFrontDoor) have security policies; a classic
      // CDN profile has none to list, and the check judges only Front Door ones.
      parentOf: (profile) => {
        const sku = (profile.sku as { name?: unknown } | null)?.name;
        return typeof sku === 'string' && /_azurefrontdoor$/i.test(sku) ? profile.id : null;
      },
      readMarks: [`'${PROFILES}'`],
      noun: 'security policies',
      list: (profile, options) => {
        const { resourceGroup, names } = idNames(profile);
        return client(profile).securityPolicies.listByProfile(resourceGroup, names[0]!, options).byPage();
      },
    },
  ];
}
