// Storage account settings Resource Graph does not hold, through @azure/arm-storage: the blob service's properties
// (soft delete, versioning) and the lifecycle management policy.
import { StorageManagementClient } from '@azure/arm-storage';
import type { AzureConnection } from '../azure/connection.js';
import { armClientOptions, type ChildKind, idNames, type RetryOptions, subscriptionOf } from './child-lists.js';

const BLOB_SERVICES = 'microsoft.storage/storageaccounts/blobservices';
const MANAGEMENT_POLICIES = 'microsoft.storage/storageaccounts/managementpolicies';

export function storageSettingsKinds(connection: AzureConnection, retry?: RetryOptions): ChildKind[] {
  const clients = new Map<string, StorageManagementClient>();
  const client = (parent: string) => {
    const sub = subscriptionOf(parent);
    let c = clients.get(sub);
    if (!c) {
      c = new StorageManagementClient(connection.credential, sub, armClientOptions(connection, retry));
      clients.set(sub, c);
    }
    return c;
  };
  return [
    {
      childType: BLOB_SERVICES,
      parentType: 'microsoft.storage/storageaccounts',
      readMarks: ["'microsoft.storage/storageaccounts'"],
      noun: 'blob service properties',
      // A collection of one object named default.
      list: (account, options) => {
        const { resourceGroup, names } = idNames(account);
        return client(account).blobServices.list(resourceGroup, names[0]!, options).byPage();
      },
    },
    {
      childType: MANAGEMENT_POLICIES,
      parentType: 'microsoft.storage/storageaccounts',
      readMarks: ["'microsoft.storage/storageaccounts'"],
      noun: 'management policies',
      // An account holds at most one policy, named default; ARM answers 404 when it has none.
      list: (account, options) => {
        const { resourceGroup, names } = idNames(account);
        return client(account).managementPolicies.get(resourceGroup, names[0]!, 'default', options);
      },
      noneCode: 'ManagementPolicyNotFound',
    },
  ];
}
