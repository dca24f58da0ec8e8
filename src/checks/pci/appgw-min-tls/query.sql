-- Predefined policy names with their minimum protocol (Azure's documented table); Custom/CustomV2 by minProtocolVersion;
-- a policy with neither (the old disabledSslProtocols form) by which protocols it disables.
with v as (
  select id, tenant_id, properties->'$.sslPolicy' as ssl,
         lower(properties->>'$.sslPolicy.policyType') as policy_type,
         properties->>'$.sslPolicy.policyName' as policy_name,
         lower(properties->>'$.sslPolicy.minProtocolVersion') as min_version,
         list_transform(coalesce(cast(json_extract_string(properties, '$.sslPolicy.disabledSslProtocols[*]') as varchar[]), []),
                        x -> lower(x)) as disabled
  from resources
  where type = 'microsoft.network/applicationgateways'
),
judged as (
  select *,
         case
           when policy_type = 'predefined' or (policy_type is null and policy_name is not null) then
             case lower(policy_name)
               when 'appgwsslpolicy20170401s' then 'tlsv1_2'
               when 'appgwsslpolicy20220101' then 'tlsv1_2'
               when 'appgwsslpolicy20220101s' then 'tlsv1_2'
               when 'appgwsslpolicy20170401' then 'tlsv1_1'
               when 'appgwsslpolicy20150501' then 'tlsv1_0'
             end
           when policy_type in ('custom', 'customv2') then min_version
           when policy_type is null and len(disabled) > 0 then
             case when list_contains(disabled, 'tlsv1_0') and list_contains(disabled, 'tlsv1_1') then 'tlsv1_2'
                  when list_contains(disabled, 'tlsv1_0') then 'tlsv1_1'
                  else 'tlsv1_0' end
         end as effective_min
  from v
)
select
  id as resource_id,
  tenant_id,
  case
    when effective_min in ('tlsv1_2', 'tlsv1_3') then 'pass'
    when effective_min in ('tlsv1_0', 'tlsv1_1') then 'fail'
    else 'error'
  end as status,
  case
    when effective_min in ('tlsv1_2', 'tlsv1_3', 'tlsv1_0', 'tlsv1_1')
      then 'minimum TLS version is ' || replace(upper(effective_min), 'V', 'v')
           || coalesce(' (' || policy_name || ')', ' (' || policy_type || ' policy)', ' (disabledSslProtocols)')
    when ssl is null then 'sslPolicy is absent (its default depends on the API version the gateway was created with)'
    when policy_name is not null and coalesce(policy_type, 'predefined') = 'predefined'
      then 'unrecognised predefined SSL policy ' || policy_name
    else 'the SSL policy sets no recognisable minimum protocol version'
  end as reason,
  json_object('sslPolicy', ssl, 'effectiveMinProtocolVersion', effective_min) as evidence
from judged
