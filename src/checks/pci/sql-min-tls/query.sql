-- Only 1.2 and 1.3 are strong; None (azurerm writes Disabled) means any version is accepted. The logic is shared
-- with the storage and Redis checks in min_tls_version (src/checks/macros.sql).
select * from min_tls_version('microsoft.sql/servers', 'minimalTlsVersion',
                              ['1.2', '1.3'], ['1.0', '1.1'], ['None', 'Disabled'])
