-- Only TLS 1.2 and 1.3 count as strong cryptography; an account that never set a minimum is missing evidence.
-- The logic is shared with the Redis and SQL checks in min_tls_version (src/checks/macros.sql).
select * from min_tls_version('microsoft.storage/storageaccounts', 'minimumTlsVersion',
                              ['TLS1_2', 'TLS1_3'], ['TLS1_0', 'TLS1_1'], [])
