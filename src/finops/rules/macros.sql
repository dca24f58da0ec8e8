-- Macros the FinOps rules share: the price sheet, prices by resource kind, VM facts, utilisation windows and container
-- usage per workload. Defined after src/checks/macros.sql (k8s_id, k8s_quantity, children_collected) and vm-sizes.sql.
-- Every price is an Azure Retail Prices API item of the run's one dated sheet (table prices); a price the sheet lacks
-- is null, and so is every saving computed from it.

-- The run's sheet: its date and currency (null, null when no sheet was loaded).
create or replace temp macro price_sheet() as table
  select max(sheet_date) as sheet_date, any_value(currency_code) as currency from prices;

-- Pay-as-you-go hourly price of a VM size in a region: the Windows meter for a Windows OS, otherwise Linux; never a
-- Spot or Low Priority meter.
create or replace temp macro vm_hourly_price(size, region, os) as (
  select min(p.retail_price) from prices p
  where lower(p.arm_sku_name) = lower(size) and lower(p.arm_region_name) = lower(region)
    and p.price_type = 'Consumption' and p.unit_of_measure = '1 Hour'
    and not contains(lower(coalesce(p.meter_name, '')), 'spot')
    and not contains(lower(coalesce(p.meter_name, '')), 'low priority')
    and contains(lower(coalesce(p.product_name, '')), 'windows') = (coalesce(os, 'linux') = 'windows')
);

-- A one-year reservation's price for the whole term. The Retail Prices API gives each reservation term's total as one
-- item; the sheet keeps no term column, and a one-year term always costs less in total than three years, so the
-- lowest Reservation item of the size and region is the one-year term.
create or replace temp macro vm_reservation_1y_price(size, region) as (
  select min(p.retail_price) from prices p
  where lower(p.arm_sku_name) = lower(size) and lower(p.arm_region_name) = lower(region) and p.price_type = 'Reservation'
);

-- A managed disk's billing tier: P (Premium SSD), E (Standard SSD) or S (Standard HDD) and the number of the smallest
-- size that holds size_gb (the S tiers start at S4, 32 GiB; smaller P and E disks bill as their 32 GiB tier here, an
-- over-estimate of at most a few currency units), plus its redundancy: 'P15 LRS'. Null for Premium SSD v2 and Ultra (priced per GiB and IOPS).
create or replace temp macro disk_tier(sku, size_gb) as (
  case
    when sku is null or size_gb is null then null
    when lower(sku) like 'premiumv2%' or lower(sku) like 'ultra%' then null
    else
      (case when lower(sku) like 'premium%' then 'P' when lower(sku) like 'standardssd%' then 'E' else 'S' end)
      || case
           when size_gb <= 32 then 4 when size_gb <= 64 then 6 when size_gb <= 128 then 10 when size_gb <= 256 then 15
           when size_gb <= 512 then 20 when size_gb <= 1024 then 30 when size_gb <= 2048 then 40
           when size_gb <= 4096 then 50 when size_gb <= 8192 then 60 when size_gb <= 16384 then 70 else 80
         end
      || ' ' || upper(split_part(sku, '_', 2))
  end
);

-- Monthly price of one managed disk of a tier ('P15 LRS') in a region.
create or replace temp macro disk_monthly_price(tier, region) as (
  select min(p.retail_price) from prices p
  where lower(p.sku_name) = lower(tier) and lower(p.arm_region_name) = lower(region)
    and p.unit_of_measure = '1/Month' and lower(p.meter_name) = lower(tier) || ' disk'
);

-- Hourly price of a public IP address: the meter '<Basic|Standard> IPv<4|6> <Static|Dynamic> Public IP'.
create or replace temp macro public_ip_hourly_price(sku, version, allocation, region) as (
  select min(p.retail_price) from prices p
  where lower(p.meter_name) = lower(format('{} {} {} Public IP', coalesce(sku, 'Basic'), coalesce(version, 'IPv4'),
                                             coalesce(allocation, 'Dynamic')))
    and (p.arm_region_name is null or p.arm_region_name = '' or lower(p.arm_region_name) = lower(region))
    and p.unit_of_measure = '1 Hour' and p.price_type = 'Consumption'
);

-- Hourly price of one App Service plan instance: sku_name 'P1 v3' matches plan size 'P1v3'; Linux plans the Linux meter.
create or replace temp macro app_service_hourly_price(size, region, linux) as (
  select min(p.retail_price) from prices p
  where lower(replace(p.sku_name, ' ', '')) = lower(size) and lower(p.arm_region_name) = lower(region)
    and contains(lower(coalesce(p.service_name, '')), 'app service')
    and p.unit_of_measure = '1 Hour' and p.price_type = 'Consumption'
    and contains(lower(coalesce(p.product_name, '')), 'linux') = linux
);

-- Live virtual machines with their size's facts (vm_sizes()) and price. power_state: running, stopped, deallocated,
-- ... from Resource Graph's properties.extended.instanceView.powerState.code, null when absent.
create or replace temp macro finops_vms() as table
  select v.id, v.tenant_id, v.name, v.location, v.subscription_id, v.tags, v.properties,
         v.properties->>'$.hardwareProfile.vmSize' as size,
         lower(v.properties->>'$.storageProfile.osDisk.osType') as os,
         lower(replace(v.properties->>'$.extended.instanceView.powerState.code', 'PowerState/', '')) as power_state,
         s.series, s.vcpus, s.memory_gib, s.network_mbps,
         vm_hourly_price(size, v.location, os) as hourly_price
  from resources v
  left join vm_sizes() s on lower(s.name) = lower(v.properties->>'$.hardwareProfile.vmSize')
  where v.type = 'microsoft.compute/virtualmachines' and v.origin <> 'plan';

-- One resource's metric over the look-back window ending on `today` (inclusive): days that have samples, and the
-- daily figures combined. The window's P95 cannot be rebuilt from daily P95s: max_p95 (the highest daily P95) stands
-- for it, which errs toward keeping capacity.
create or replace temp macro metric_window(today, lookback_days) as table
  select lower(resource_id) as resource_id, metric,
         count(distinct day) filter (where samples > 0) as days,
         coalesce(sum(samples), 0) as samples,
         max(p95) as max_p95,
         max(max) as max_max,
         quantile_cont(max, 0.95) as p95_of_max,
         quantile_cont(p95, 0.95) as p95_of_p95,
         min(avg) as min_avg,
         -- The least seen: the daily minimum where the collector kept one, else the daily average.
         min(coalesce(min, avg)) as min_low,
         sum(avg * samples) / nullif(sum(samples), 0) as avg
  from metrics
  where day > cast(today as date) - cast(lookback_days as integer) and day <= cast(today as date)
  group by all;

-- Workloads whose containers can be sized: Deployments, StatefulSets, DaemonSets, Jobs and CronJobs with their pod
-- template's containers and requests (cores, bytes; null when not set), and whether a HorizontalPodAutoscaler
-- scales them (scaleTargetRef kind and name in the same namespace).
create or replace temp macro k8s_sizable_containers() as table
  with w as (
    select cluster, kind, namespace, name, tenant_id, spec, k8s_id(cluster, kind, namespace, name) as workload_id,
           json_extract(spec, map {'Deployment': '$.template.spec', 'StatefulSet': '$.template.spec',
                                   'DaemonSet': '$.template.spec', 'Job': '$.template.spec',
                                   'CronJob': '$.jobTemplate.spec.template.spec'}[kind]) as pod_spec
    from k8s_objects
    where kind in ('Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob')
  ),
  hpa as (
    select distinct cluster, namespace, spec->>'$.scaleTargetRef.kind' as kind, spec->>'$.scaleTargetRef.name' as name
    from k8s_objects where kind = 'HorizontalPodAutoscaler'
  )
  select w.cluster, w.kind, w.namespace, w.name, w.tenant_id, w.workload_id,
         c->>'$.name' as container,
         k8s_quantity(c->>'$.resources.requests.cpu') as cpu_request_cores,
         k8s_quantity(c->>'$.resources.requests.memory') as mem_request_bytes,
         hpa.name is not null as hpa_scaled
  from w
  cross join unnest(coalesce(json_extract(w.pod_spec, '$.containers[*]'), [])) as t(c)
  left join hpa on hpa.cluster = w.cluster and hpa.namespace = w.namespace and hpa.kind = w.kind and hpa.name = w.name;

-- Container usage (k8s_usage) per workload container: a pod belongs to the workload whose name and the controller's
-- pod-name pattern it carries (Deployment <name>-<replicaset hash>-<suffix>, StatefulSet <name>-<ordinal>, DaemonSet
-- and Job <name>-<suffix>, CronJob <name>-<schedule time>-<suffix>). Peaks are the highest any pod reached; averages
-- weigh pods by samples; samples add up; history is the longest any pod has.
create or replace temp macro k8s_container_usage() as table
  with owner as (
    -- each usage row under the workload name each controller's pod-name pattern gives it, for an equality join
    -- (constant patterns: DuckDB compiles a pattern held in a column once per row)
    select *, 'Deployment' as kind, regexp_extract(pod, '^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$', 1) as owner_name from k8s_usage
    union all
    select *, 'StatefulSet', regexp_extract(pod, '^(.+)-[0-9]+$', 1) from k8s_usage
    union all
    select *, 'DaemonSet', regexp_extract(pod, '^(.+)-[a-z0-9]{5}$', 1) from k8s_usage
    union all
    select *, 'Job', regexp_extract(pod, '^(.+)-[a-z0-9]{5}$', 1) from k8s_usage
    union all
    select *, 'CronJob', regexp_extract(pod, '^(.+)-[0-9]+-[a-z0-9]{5}$', 1) from k8s_usage
  )
  select c.*,
         'k8s://' || c.cluster || '/' || c.namespace || '/' || c.kind || '/' || c.name || '#' || c.container as subject_id,
         count(distinct u.pod) as pods,
         max(u.cpu_p95_mcores) as cpu_p95_mcores,
         sum(u.cpu_avg_mcores * u.samples) / nullif(sum(u.samples), 0) as cpu_avg_mcores,
         max(u.mem_max_bytes) as mem_max_bytes,
         sum(u.mem_avg_bytes * u.samples) / nullif(sum(u.samples), 0) as mem_avg_bytes,
         coalesce(sum(u.samples), 0) as samples,
         coalesce(max(u.history_hours), 0) as history_hours
  from k8s_sizable_containers() c
  left join owner u
    on u.cluster = c.cluster and u.namespace = c.namespace and u.container = c.container
   and u.kind = c.kind and u.owner_name = c.name and u.owner_name <> ''
  group by all;

-- A JSON value that is absent or JSON null (Resource Graph writes "natGateway": null as often as it leaves it out).
create or replace temp macro json_absent(j) as coalesce(json_type(j), 'NULL') = 'NULL';
