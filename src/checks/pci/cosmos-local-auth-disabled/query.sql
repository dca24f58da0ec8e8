-- Key-based access is on by default; only an explicit true turns it off. The logic is property_value_verdict.
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.documentdb/databaseaccounts', 'disableLocalAuth', 'true', 'false',
                            'key-based authentication is disabled', 'key-based authentication is enabled',
                            absent_default := 'key-based authentication is enabled by default')
