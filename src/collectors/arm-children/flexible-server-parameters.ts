// MySQL and PostgreSQL flexible servers' parameters (require_secure_transport among them), through
// @azure/arm-mysql-flexible and @azure/arm-postgresql-flexible. Resource Graph holds the servers, not their parameters.
// Each server's whole list is read, paged: a server whose list completed is covered, so a parameter it does not list
// is one the server does not have, which no single GET could say.
import { MySQLManagementFlexibleServerClient } from '@azure/arm-mysql-flexible';
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import type { AzureConnection } from '../azure/connection.js';
import { armClientOptions, type ChildKind, idNames, type RetryOptions, subscriptionOf } from './child-lists.js';

const MYSQL = 'microsoft.dbformysql/flexibleservers';
const POSTGRES = 'microsoft.dbforpostgresql/flexibleservers';

export function flexibleServerParameterKinds(connection: AzureConnection, retry?: RetryOptions): ChildKind[] {
  // The clients are bound to one subscription; a server's id names its own.
  const perSubscription = <C>(make: (sub: string) => C) => {
    const clients = new Map<string, C>();
    return (server: string) => {
      const sub = subscriptionOf(server);
      let c = clients.get(sub);
      if (!c) {
        c = make(sub);
        clients.set(sub, c);
      }
      return c;
    };
  };
  const { credentials, ...options } = armClientOptions(connection, retry);
  const clientOptions = { ...options, credentialScopes: credentials.scopes };
  const mysql = perSubscription((sub) => new MySQLManagementFlexibleServerClient(connection.credential, sub, clientOptions));
  const postgres = perSubscription(
    (sub) => new PostgreSQLManagementFlexibleServerClient(connection.credential, sub, clientOptions),
  );
  return [
    {
      childType: `${MYSQL}/configurations`,
      parentType: MYSQL,
      readMarks: [`'${MYSQL}'`],
      noun: 'server parameters',
      list: (server, opts) => {
        const { resourceGroup, names } = idNames(server);
        return mysql(server).configurations.listByServer(resourceGroup, names[0]!, opts).byPage();
      },
    },
    {
      childType: `${POSTGRES}/configurations`,
      parentType: POSTGRES,
      readMarks: [`'${POSTGRES}'`],
      noun: 'server parameters',
      list: (server, opts) => {
        const { resourceGroup, names } = idNames(server);
        return postgres(server).configurations.listByServer(resourceGroup, names[0]!, opts).byPage();
      },
    },
  ];
}
