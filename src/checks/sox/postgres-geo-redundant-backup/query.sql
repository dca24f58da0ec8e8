-- Geo-redundancy is fixed at creation; only Enabled survives the loss of the region. It is off by default (azurerm
-- geo_redundant_backup_enabled defaults to false; Azure offers it only when chosen at creation), so an absent value fails
-- unless it is known only after apply. The logic is property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.dbforpostgresql/flexibleservers', 'backup.geoRedundantBackup', 'enabled', 'disabled',
                            'backups are geo-redundant', 'backups are not geo-redundant',
                            absent_default := 'backups are not geo-redundant by default')
