-- Off unless chosen at creation, so absence fails. The logic is property_value_verdict (src/checks/macros.sql).
select resource_id, tenant_id, status, reason, evidence
from property_value_verdict('microsoft.dbformysql/flexibleservers', 'backup.geoRedundantBackup', 'enabled', 'disabled',
                            'backups are geo-redundant', 'backups are locally redundant only',
                            absent_default := 'geo-redundant backup is off by default')
