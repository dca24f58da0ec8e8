-- Azure regions for the data-residency checks: each public-cloud region's geography and its paired region, the
-- secondary that geo-redundant storage, SQL geo-backups and Key Vault replicate to.
-- Source: Microsoft Learn, "Azure region pairs and nonpaired regions"
-- (https://learn.microsoft.com/azure/reliability/regions-paired) and "List of Azure regions"
-- (https://learn.microsoft.com/azure/reliability/regions-list). Table of 2026-12-05.
-- pair is null for a nonpaired region. Pairs are not always symmetric (West US 3 → East US, Brazil South →
-- South Central US, West India → South India) and not always in one geography (Brazil South's pair is in the United
-- States). A region missing here is unknown to the checks, which then withhold their verdict (error): add it, with
-- the date, when Azure opens one. Sovereign clouds (US Government, China) are not listed.
-- The engine defines these with the shared macros; in a DuckDB shell, `.read src/checks/regions.sql` too.

create or replace temp macro azure_regions() as table
  select * from (values
    ('eastus', 'United States', 'westus'),
    ('westus', 'United States', 'eastus'),
    ('eastus2', 'United States', 'centralus'),
    ('centralus', 'United States', 'eastus2'),
    ('northcentralus', 'United States', 'southcentralus'),
    ('southcentralus', 'United States', 'northcentralus'),
    ('westus2', 'United States', 'westcentralus'),
    ('westcentralus', 'United States', 'westus2'),
    ('westus3', 'United States', 'eastus'),
    ('canadacentral', 'Canada', 'canadaeast'),
    ('canadaeast', 'Canada', 'canadacentral'),
    ('brazilsouth', 'Brazil', 'southcentralus'),
    ('brazilsoutheast', 'Brazil', 'brazilsouth'),
    ('mexicocentral', 'Mexico', null),
    ('chilecentral', 'Chile', null),
    ('northeurope', 'Europe', 'westeurope'),
    ('westeurope', 'Europe', 'northeurope'),
    ('francecentral', 'France', 'francesouth'),
    ('francesouth', 'France', 'francecentral'),
    ('germanywestcentral', 'Germany', 'germanynorth'),
    ('germanynorth', 'Germany', 'germanywestcentral'),
    ('norwayeast', 'Norway', 'norwaywest'),
    ('norwaywest', 'Norway', 'norwayeast'),
    ('swedencentral', 'Sweden', 'swedensouth'),
    ('swedensouth', 'Sweden', 'swedencentral'),
    ('switzerlandnorth', 'Switzerland', 'switzerlandwest'),
    ('switzerlandwest', 'Switzerland', 'switzerlandnorth'),
    ('uksouth', 'United Kingdom', 'ukwest'),
    ('ukwest', 'United Kingdom', 'uksouth'),
    ('italynorth', 'Italy', null),
    ('polandcentral', 'Poland', null),
    ('spaincentral', 'Spain', null),
    ('austriaeast', 'Austria', null),
    ('belgiumcentral', 'Belgium', null),
    ('eastasia', 'Asia Pacific', 'southeastasia'),
    ('southeastasia', 'Asia Pacific', 'eastasia'),
    ('australiaeast', 'Australia', 'australiasoutheast'),
    ('australiasoutheast', 'Australia', 'australiaeast'),
    ('australiacentral', 'Australia', 'australiacentral2'),
    ('australiacentral2', 'Australia', 'australiacentral'),
    ('centralindia', 'India', 'southindia'),
    ('southindia', 'India', 'centralindia'),
    ('westindia', 'India', 'southindia'),
    ('jioindiawest', 'India', 'jioindiacentral'),
    ('jioindiacentral', 'India', 'jioindiawest'),
    ('japaneast', 'Japan', 'japanwest'),
    ('japanwest', 'Japan', 'japaneast'),
    ('koreacentral', 'Korea', 'koreasouth'),
    ('koreasouth', 'Korea', 'koreacentral'),
    ('indonesiacentral', 'Indonesia', null),
    ('malaysiawest', 'Malaysia', null),
    ('newzealandnorth', 'New Zealand', null),
    ('israelcentral', 'Israel', null),
    ('qatarcentral', 'Qatar', null),
    ('uaenorth', 'United Arab Emirates', 'uaecentral'),
    ('uaecentral', 'United Arab Emirates', 'uaenorth'),
    ('southafricanorth', 'South Africa', 'southafricawest'),
    ('southafricawest', 'South Africa', 'southafricanorth')
  ) regions(region, geography, pair);

-- A location as ARM spells it: lower case, no spaces ("West Europe" → westeurope); null for an absent or empty one.
create or replace temp macro region_name(location) as nullif(lower(replace(location, ' ', '')), '');

-- The geography of a region; null for a region the table does not know.
create or replace temp macro region_geography(r) as (select any_value(geography) from azure_regions() where region = region_name(r));

-- The paired region of a region; null for a nonpaired or unknown region.
create or replace temp macro region_pair(r) as (select any_value(pair) from azure_regions() where region = region_name(r));

-- Each tenant's residency: its configured regions (normalised), their geographies, and the configured regions the
-- table does not know. A tenant with no regions has empty lists: the checks then report error, never pass.
create or replace temp macro tenant_residency() as table
  with configured as (
    select tenant_id, region_name(unnest(coalesce(regions, []))) as region from tenants
  )
  -- Sorted: list(distinct …) keeps no order, and reasons and evidence must read the same on every run.
  select t.tenant_id,
         list_sort(coalesce(list(distinct c.region) filter (where c.region is not null), [])) as regions,
         list_sort(coalesce(list(distinct a.geography) filter (where a.geography is not null), [])) as geographies,
         list_sort(coalesce(list(distinct c.region) filter (where c.region is not null and a.region is null), [])) as unknown_regions
  from tenants t
  left join configured c on c.tenant_id = t.tenant_id
  left join azure_regions() a on a.region = c.region
  group by t.tenant_id;
