-- Only 1.2 (or later) counts as strong cryptography. The logic is shared with the storage and SQL checks in
-- min_tls_version (src/checks/macros.sql).
select * from min_tls_version('microsoft.cache/redis', 'minimumTlsVersion', ['1.2', '1.3'], ['1.0', '1.1'], [])
