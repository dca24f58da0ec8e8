// Diagnostic settings, listed through ARM (Azure Monitor) for the resources whose checks read them and for each
// subscription (its activity-log export). Resource Graph does not hold them: each target takes one list.
import { MonitorClient } from '@azure/arm-monitor';
import type { AzureConnection } from '../azure/connection.js';
import { armClientOptions, type ChildKind, type RetryOptions } from './child-lists.js';

const DIAGNOSTIC_SETTINGS = 'microsoft.insights/diagnosticsettings';

/** One kind per target type, so that the settings of, say, key vaults are listed only when a check reads them. */
export function diagnosticSettingsKinds(connection: AzureConnection, retry?: RetryOptions): ChildKind[] {
  const client = new MonitorClient(connection.credential, armClientOptions(connection, retry));
  const list: ChildKind['list'] = (target, options) =>
    client.diagnosticSettings.list(target.replace(/^\//, ''), options).byPage();
  const kind = (parentType: string, readMarks: string[], parentOf?: ChildKind['parentOf']): ChildKind => ({
    childType: DIAGNOSTIC_SETTINGS,
    parentType,
    parentOf,
    readMarks,
    noun: 'diagnostic settings',
    list,
  });
  return [
    kind('microsoft.resources/subscriptions', ['live_subscriptions(', "'microsoft.resources/subscriptions'"]),
    kind('microsoft.keyvault/vaults', ["'microsoft.keyvault/vaults'"]),
    kind('microsoft.storage/storageaccounts', ["'microsoft.storage/storageaccounts'"]),
    kind('microsoft.containerservice/managedclusters', ["'microsoft.containerservice/managedclusters'"]),
    kind('microsoft.sql/servers', ["'microsoft.sql/servers'"]),
    // SQL audit events sent to Azure Monitor are routed by the master database's settings; Resource Graph need not
    // list that database, so it is reached through its server.
    kind('microsoft.sql/servers', ["/databases/master'"], (server) => `${server.id}/databases/master`),
  ];
}
