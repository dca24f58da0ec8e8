// Azure SQL settings Resource Graph does not hold, through @azure/arm-sql: each server's auditing settings
// (server blob auditing policies) and each user database's transparent data encryption.
import { SqlManagementClient } from '@azure/arm-sql';
import type { AzureConnection } from '../azure/connection.js';
import { armClientOptions, type ChildKind, idNames, type RetryOptions, subscriptionOf } from './child-lists.js';

const SQL_AUDITING = 'microsoft.sql/servers/auditingsettings';
const SQL_TDE = 'microsoft.sql/servers/databases/transparentdataencryption';

export function sqlSettingsKinds(connection: AzureConnection, retry?: RetryOptions): ChildKind[] {
  // The client is bound to one subscription; a parent's id names its own.
  const clients = new Map<string, SqlManagementClient>();
  const client = (parent: string) => {
    const sub = subscriptionOf(parent);
    let c = clients.get(sub);
    if (!c) {
      const { credentials, ...options } = armClientOptions(connection, retry);
      c = new SqlManagementClient(connection.credential, sub, { ...options, credentialScopes: credentials.scopes });
      clients.set(sub, c);
    }
    return c;
  };
  return [
    {
      childType: SQL_AUDITING,
      parentType: 'microsoft.sql/servers',
      readMarks: ["'microsoft.sql/servers'"],
      noun: 'auditing settings',
      list: (server, options) => {
        const { resourceGroup, names } = idNames(server);
        return client(server).serverBlobAuditingPolicies.listByServer(resourceGroup, names[0]!, options).byPage();
      },
    },
    {
      childType: SQL_TDE,
      parentType: 'microsoft.sql/servers/databases',
      readMarks: ["'microsoft.sql/servers/databases'"],
      // master holds no customer data and its encryption is not the customer's to set
      parentOf: (database) => (database.id.endsWith('/databases/master') ? null : database.id),
      noun: 'transparent data encryption',
      list: (database, options) => {
        const { resourceGroup, names } = idNames(database);
        return client(database).transparentDataEncryptions.listByDatabase(resourceGroup, names[0]!, names[1]!, options).byPage();
      },
    },
  ];
}
