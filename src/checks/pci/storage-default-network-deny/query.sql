-- Only a default Deny limits the account to the networks that were explicitly allowed. The Storage ARM spec gives
-- Allow as the default of networkAcls.defaultAction, so absence fails. The logic is
-- property_value_verdict (src/checks/macros.sql); the evidence adds the bypass list and rule counts.
select resource_id, tenant_id, status, reason,
       json_object(
         'networkAcls.defaultAction', properties->'$.networkAcls.defaultAction',
         'bypass', properties->'$.networkAcls.bypass',
         'ipRules', json_array_length(properties->'$.networkAcls.ipRules'),
         'virtualNetworkRules', json_array_length(properties->'$.networkAcls.virtualNetworkRules')
       ) as evidence
from property_value_verdict('microsoft.storage/storageaccounts', 'networkAcls.defaultAction', 'deny', 'allow',
                            'firewall default action is Deny', 'firewall default action is Allow: any network may connect',
                            absent_default := 'any network may connect by default (Allow)')
