-- SAS keys are on by default; only an explicit true turns them off. The logic is property_value_verdict.
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.eventhub/namespaces', 'disableLocalAuth', 'true', 'false',
                            'SAS key authentication is disabled', 'SAS key authentication is enabled',
                            absent_default := 'SAS key authentication is enabled by default')
