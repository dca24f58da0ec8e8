-- One switch, read as ARM's "True" / "False" strings (case-insensitively).
select resource_id, tenant_id, status, reason,
       json_object('TripleDes168', json_extract(properties, '$.customProperties."Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168"')) as evidence
from property_value_verdict('microsoft.apimanagement/service',
                            'customProperties."Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168"',
                            'false', 'true', 'the 3DES cipher is disabled', 'the 3DES cipher is enabled')
